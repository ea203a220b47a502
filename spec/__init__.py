"""The OpenAPI contract of the management API, shipped as package data."""
