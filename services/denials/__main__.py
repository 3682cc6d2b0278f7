"""Run the denials service: python -m services.denials"""

from services.denials.app import create_app
from shared.http.service_app import serve

serve(create_app)
