"""The Settings screen and the connection dialog."""
