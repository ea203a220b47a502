from enum import StrEnum


class PublishNoSubscribersMessage(StrEnum):
    NO_MATCHING_SUBSCRIBERS = "no_matching_subscribers"

    def __str__(self) -> str:
        return str(self.value)
