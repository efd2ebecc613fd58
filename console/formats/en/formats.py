# The admin's own lists and read-only fields write dates as every console page does
# (console.formatting.when): "2026-12-06 14:05 UTC".
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
