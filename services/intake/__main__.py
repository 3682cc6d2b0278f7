"""Run the intake service: python -m services.intake"""

from services.intake.app import create_app
from shared.http.service_app import serve

serve(create_app)
