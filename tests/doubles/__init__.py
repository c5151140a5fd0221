"""Test doubles: scripted stand-ins for external services (named as such; never real services)."""
