"""The HTTP routes served beside the app (sign-in and sign-out)."""
