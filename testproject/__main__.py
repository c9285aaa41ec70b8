"""``python -m testproject <command>``: Django's management commands for the project."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
execute_from_command_line([f"{sys.executable} -m testproject", *sys.argv[1:]])
