"""What operators watch: the history of the broker's gauges and rates (monitor), alarms raised and cleared
from real conditions, and the audit log of every change made through the API or the command line."""
