"""The secrets of the back-office features, and the start-up check of every secret.

`python -m backoffice.secrets` checks the secrets of both processes (exit status 1 on a
problem): run it before starting the production profile.
"""

from __future__ import annotations

import logging
import sys

from backoffice.records.donation.settings import get_donation_settings
from backoffice.records.handoff.settings import get_handoff_settings
from core.secrets_check import InsecureSecretsError, NamedSecret, check_secrets
from core.settings import get_settings


def backoffice_secrets() -> list[NamedSecret]:
    """The staff session secret, and the payment callback secret when payments are on."""
    found = [NamedSecret("HANDOFF_SESSION_SECRET", get_handoff_settings().session_secret)]
    payment = get_donation_settings().payment_secret
    if payment is not None and payment.get_secret_value():
        found.append(NamedSecret("DONATION_PAYMENT_SECRET", payment.get_secret_value()))
    return found


def main() -> int:
    """Check the secrets of both processes; log the problems; 0 when fine, 1 otherwise."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = get_settings()
    try:
        check_secrets(settings, role="all", features=backoffice_secrets())
    except InsecureSecretsError:
        return 1
    print(f"secrets check passed (profile {settings.profile})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
