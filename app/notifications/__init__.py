"""Notifications: e-mail by SMTP and signed webhooks, sent with retries."""
