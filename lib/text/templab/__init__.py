"""The temperature lab: one character model, a temperature slider, in a kernel or a browser."""

from lib.text.templab.lab import *  # noqa: F401,F403  (split by concern below)
