"""Run the submission service: python -m services.submission"""

from services.submission.app import create_app
from shared.http.service_app import serve

serve(create_app)
