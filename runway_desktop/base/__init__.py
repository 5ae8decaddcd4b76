"""Helpers every layer may use (files, text, resources, logging); imports nothing of the app."""
