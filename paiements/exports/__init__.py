"""Payment exports: PES V2 ``PES_Aller`` (to the public accountant), SEPA pain.001 and CSV.

Pure Python: the inputs are the frozen dataclasses of ``donnees``, built from the models by
the payments application.
"""

from paiements.exports.csv_export import build_csv
from paiements.exports.donnees import (
    BORDEREAU_ANNULATION,
    BORDEREAU_ORDINAIRE,
    NATURE_FONCTIONNEMENT,
    NATURE_INVESTISSEMENT,
    Bordereau,
    Collectivite,
    Emetteur,
    LigneMandat,
    Mandat,
    Tiers,
)
from paiements.exports.pes import ResumePes, build_pes_aller, validate_pes, write_pes_aller
from paiements.exports.sepa import build_sepa_pain001, validate_sepa

__all__ = [
    "BORDEREAU_ANNULATION",
    "BORDEREAU_ORDINAIRE",
    "NATURE_FONCTIONNEMENT",
    "NATURE_INVESTISSEMENT",
    "Bordereau",
    "Collectivite",
    "Emetteur",
    "LigneMandat",
    "Mandat",
    "ResumePes",
    "Tiers",
    "build_csv",
    "build_pes_aller",
    "build_sepa_pain001",
    "validate_pes",
    "validate_sepa",
    "write_pes_aller",
]
