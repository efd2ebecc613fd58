"""Django's own date formats for the admin (FORMAT_MODULE_PATH): the console's one format, with its zone."""
