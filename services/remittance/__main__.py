"""Run the remittance service: python -m services.remittance"""

from services.remittance.app import create_app
from shared.http.service_app import serve

serve(create_app)
