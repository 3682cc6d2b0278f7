"""Run the coding service: python -m services.coding"""

from services.coding.app import create_app
from shared.http.service_app import serve

serve(create_app)
