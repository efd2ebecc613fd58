"""Services own every state change; tasks, views and admin actions only call them."""
