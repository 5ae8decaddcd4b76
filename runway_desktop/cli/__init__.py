"""``runway-desktop-cli``: argument parsing and printing over the core. No rules of its own."""
