"""Tests of the voice app."""
