"""The tronc commun and the four thematic modules, defined once for every scheme.

Each step is a dict: key, title, intro, fields (specs, see fields.py) and rules (names in
rules.RULES). The scheme's configuration adds its beneficiary types, extra fields and pieces.
"""

BENEFICIAIRES = {
    "particulier": "Particulier",
    "entreprise": "Entreprise",
    "association": "Association",
    "collectivite": "Collectivité territoriale",
    "etablissement_public": "Établissement public",
}
PERSONNES_MORALES = ["entreprise", "association", "collectivite", "etablissement_public"]

MODULES = {
    "investissement": "Investissement",
    "fonctionnement": "Fonctionnement et projets-actions",
    "formation": "Formation, emploi et aides aux personnes",
    "economie": "Économie et innovation",
}
MODULE_PREFIXES = {
    "investissement": "INV",
    "fonctionnement": "FON",
    "formation": "FOR",
    "economie": "ECO",
}

# Trunk answers stored as real columns on Dossier (cross-scheme reporting and search).
TRUNK_COLUMNS = {
    "demandeur_type": "demandeur_type",
    "siret": "siret",
    "montant_demande": "montant_demande",
    "cout_total": "cout_total",
    "projet_commune": "commune",
}
TRUNK_DATE_RANGE = "projet_dates"  # → date_debut, date_fin

STATUT_COFINANCEMENT = [["demande", "Demandé"], ["obtenu", "Obtenu"]]


def demandeur_step(beneficiaires: list[str]) -> dict:
    choices = [[code, BENEFICIAIRES[code]] for code in beneficiaires]
    morales = [code for code in beneficiaires if code in PERSONNES_MORALES]
    fields = [
        {
            "key": "demandeur_type",
            "type": "choice",
            "label": "Vous déposez cette demande en tant que",
            "choices": choices,
            "required": True,
        },
        {
            "key": "nom",
            "type": "text",
            "label": "Nom et prénom, ou raison sociale",
            "help": "Pour une organisation : son nom officiel, tel qu'il figure au répertoire SIRENE.",
            "required": True,
        },
    ]
    if morales:
        fields += [
            {
                "key": "siret",
                "type": "siret",
                "label": "Numéro SIRET",
                "help": "14 chiffres. Nous vérifions l'établissement auprès de l'INSEE.",
                "required": True,
                "condition": {"field": "demandeur_type", "in": morales},
            },
            {
                "key": "representant",
                "type": "text",
                "label": "Nom et qualité du représentant légal",
                "help": "Par exemple : Claire Vidal, présidente.",
                "required": True,
                "condition": {"field": "demandeur_type", "in": morales},
            },
        ]
    if "association" in beneficiaires:
        fields.append(
            {
                "key": "rna",
                "type": "rna",
                "label": "Numéro RNA de l'association",
                "help": "W suivi de 9 chiffres, sur le récépissé de la préfecture.",
                "required": True,
                "condition": {"field": "demandeur_type", "equals": "association"},
            }
        )
    if "particulier" in beneficiaires:
        fields.append(
            {
                "key": "date_naissance",
                "type": "date",
                "label": "Date de naissance",
                "required": True,
                "condition": {"field": "demandeur_type", "equals": "particulier"},
            }
        )
    fields += [
        {"key": "adresse", "type": "address", "label": "Adresse", "required": True},
        {
            "key": "email",
            "type": "email",
            "label": "Adresse électronique de contact",
            "required": True,
        },
        {"key": "telephone", "type": "phone", "label": "Téléphone", "required": True},
    ]
    return {
        "key": "demandeur",
        "title": "Le demandeur",
        "intro": "Qui demande l'aide. Ces informations sont reprises de votre profil quand nous les "
        "connaissons déjà.",
        "fields": fields,
        "rules": [],
    }


PROJET_STEP = {
    "key": "projet",
    "title": "Le projet",
    "intro": "Décrivez en quelques phrases ce que vous voulez faire, où et quand.",
    "fields": [
        {
            "key": "titre",
            "type": "text",
            "label": "Titre du projet",
            "required": True,
            "max_length": 150,
        },
        {
            "key": "description",
            "type": "textarea",
            "label": "Description du projet",
            "help": "Objectifs, actions prévues, résultats attendus (5 000 caractères au plus).",
            "required": True,
        },
        {
            "key": "projet_dates",
            "type": "date_range",
            "label": "Dates de réalisation du projet",
            "required": True,
        },
        {
            "key": "projet_commune",
            "type": "commune",
            "label": "Commune où se déroule le projet",
            "help": "Son nom, ou son code postal suivi du nom : « 87200 Saint-Junien ».",
            "required": True,
        },
    ],
    "rules": [],
}


def financement_step(regle: dict, *, economie: bool) -> dict:
    fields = [
        {
            "key": "info_plan",
            "type": "info",
            "label": "Le plan de financement doit être équilibré",
            "help": "Le total des dépenses doit être égal au total des ressources : montant demandé à "
            "la Région, autres financements et autofinancement.",
        },
        {
            "key": "depenses",
            "type": "table",
            "label": "Dépenses prévues",
            "help": "Une ligne par poste de dépense, montants hors taxes si vous récupérez la TVA.",
            "required": True,
            "min_rows": 1,
            "max_rows": 20,
            "columns": [
                {"key": "poste", "type": "text", "label": "Poste de dépense", "required": True},
                {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
            ],
        },
        {
            "key": "cout_total",
            "type": "computed",
            "label": "Coût total du projet",
            "formula": "cout_total",
        },
        {
            "key": "montant_demande",
            "type": "amount",
            "label": "Montant demandé à la Région (€)",
            "required": True,
            "min": "0.01",
        },
        {
            "key": "cofinanceurs",
            "type": "table",
            "label": "Autres financements",
            "help": "État, Département, commune, Europe, fondations… avec l'état de chaque demande.",
            "required": False,
            "min_rows": 0,
            "max_rows": 10,
            "columns": [
                {"key": "financeur", "type": "text", "label": "Financeur", "required": True},
                {
                    "key": "statut",
                    "type": "choice",
                    "label": "Statut",
                    "choices": STATUT_COFINANCEMENT,
                    "required": True,
                },
                {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
            ],
        },
        {
            "key": "autofinancement",
            "type": "amount",
            "label": "Autofinancement (€)",
            "help": "Fonds propres, emprunt, recettes du projet. Indiquez 0 s'il n'y en a pas.",
            "required": True,
        },
    ]
    if regle.get("taux") is not None or regle.get("plafond") is not None:
        fields.append(
            {
                "key": "montant_eligible",
                "type": "computed",
                "label": "Montant maximal de l'aide pour ce dispositif",
                "formula": "montant_eligible",
            }
        )
    rules = ["plan_equilibre", "regle_financement"]
    if economie:
        rules.append("de_minimis")
    return {
        "key": "financement",
        "title": "Le plan de financement",
        "intro": "Ce que coûte le projet et comment il est financé.",
        "fields": fields,
        "rules": rules,
    }


BANQUE_STEP = {
    "key": "banque",
    "title": "Les coordonnées bancaires",
    "intro": "Le compte sur lequel l'aide sera versée. Joignez le RIB à l'étape des pièces.",
    "fields": [
        {"key": "titulaire", "type": "text", "label": "Titulaire du compte", "required": True},
        {"key": "iban", "type": "iban", "label": "IBAN", "required": True},
        {"key": "bic", "type": "bic", "label": "BIC", "required": True},
    ],
    "rules": [],
}


def pieces_step(pieces: list[dict]) -> dict:
    fields = [
        {
            "key": f"piece_{piece['code']}",
            "type": "file",
            "label": piece["libelle"],
            "help": piece.get("aide", ""),
            "required": bool(piece.get("obligatoire", True)),
            "types": piece.get("types") or ["pdf", "jpg", "png"],
            "piece": piece["code"],
        }
        for piece in pieces
    ]
    return {
        "key": "pieces",
        "title": "Les pièces justificatives",
        "intro": "Déposez chaque document demandé. Ceux de votre coffre-fort sont proposés "
        "automatiquement.",
        "fields": fields,
        "rules": [],
    }


ENGAGEMENTS_STEP = {
    "key": "engagements",
    "title": "Attestation et engagements",
    "intro": "Dernière étape avant le récapitulatif.",
    "fields": [
        {
            "key": "attestation_honneur",
            "type": "consent",
            "label": "Je certifie sur l'honneur l'exactitude des informations de cette demande et "
            "que le demandeur est à jour de ses obligations fiscales et sociales.",
            "required": True,
        },
        {
            "key": "engagement_publicite",
            "type": "consent",
            "label": "Je m'engage, si l'aide est accordée, à faire connaître le soutien de la Région "
            "et à transmettre les justificatifs de réalisation.",
            "required": True,
        },
        {
            "key": "consentement_donnees",
            "type": "consent",
            "label": "J'ai lu comment mes données sont utilisées pour instruire cette demande "
            "(page « Données personnelles »).",
            "required": True,
        },
    ],
    "rules": [],
}

MODULE_STEPS = {
    "investissement": {
        "key": "investissement",
        "title": "L'investissement",
        "intro": "Les travaux ou les équipements financés.",
        "fields": [
            {
                "key": "nature_investissement",
                "type": "choice",
                "label": "Nature de l'investissement",
                "required": True,
                "choices": [
                    ["travaux", "Travaux"],
                    ["equipement", "Équipement, matériel"],
                    ["immobilier", "Acquisition immobilière"],
                    ["vehicule", "Véhicule"],
                    ["autre", "Autre"],
                ],
            },
            {
                "key": "lieu_investissement",
                "type": "address",
                "label": "Adresse du site de l'investissement",
                "required": True,
            },
            {
                "key": "calendrier_travaux",
                "type": "date_range",
                "label": "Calendrier des travaux ou des achats",
                "required": True,
            },
            {
                "key": "devis",
                "type": "table",
                "label": "Devis retenus",
                "help": "Un devis par ligne ; déposez les devis à l'étape des pièces.",
                "required": True,
                "min_rows": 1,
                "max_rows": 15,
                "columns": [
                    {
                        "key": "fournisseur",
                        "type": "text",
                        "label": "Fournisseur",
                        "required": True,
                    },
                    {"key": "objet", "type": "text", "label": "Objet", "required": True},
                    {
                        "key": "montant",
                        "type": "amount",
                        "label": "Montant HT (€)",
                        "required": True,
                    },
                ],
            },
            {
                "key": "recuperation_tva",
                "type": "yesno",
                "label": "Récupérez-vous la TVA sur ces dépenses ?",
                "required": True,
            },
            {
                "key": "autorisations",
                "type": "choice",
                "label": "Autorisations d'urbanisme",
                "required": True,
                "choices": [
                    ["non_necessaires", "Non nécessaires"],
                    ["obtenues", "Obtenues"],
                    ["en_cours", "Demandées, en cours"],
                ],
            },
        ],
        "rules": [],
    },
    "fonctionnement": {
        "key": "fonctionnement",
        "title": "Le fonctionnement ou l'action",
        "intro": "Le budget de la structure ou de l'action, le public et les moyens humains.",
        "fields": [
            {
                "key": "nature_demande",
                "type": "choice",
                "label": "La demande porte sur",
                "required": True,
                "choices": [
                    ["fonctionnement_global", "Le fonctionnement global de la structure"],
                    ["action", "Une action ou un projet spécifique"],
                ],
            },
            {
                "key": "intitule_action",
                "type": "text",
                "label": "Intitulé de l'action",
                "required": True,
                "condition": {"field": "nature_demande", "equals": "action"},
            },
            {"key": "public_vise", "type": "textarea", "label": "Public visé", "required": True},
            {
                "key": "nb_beneficiaires",
                "type": "integer",
                "label": "Nombre de personnes touchées (estimation)",
                "required": True,
            },
            {
                "key": "nb_benevoles",
                "type": "integer",
                "label": "Nombre de bénévoles",
                "required": True,
            },
            {
                "key": "nb_salaries_etp",
                "type": "percentage",
                "label": "Salariés, en équivalents temps plein",
                "required": True,
                "max": 100000,
            },
            {
                "key": "budget_charges",
                "type": "table",
                "label": "Budget prévisionnel : charges",
                "required": True,
                "min_rows": 1,
                "max_rows": 15,
                "columns": [
                    {"key": "poste", "type": "text", "label": "Charge", "required": True},
                    {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
                ],
            },
            {
                "key": "budget_produits",
                "type": "table",
                "label": "Budget prévisionnel : produits",
                "required": True,
                "min_rows": 1,
                "max_rows": 15,
                "columns": [
                    {"key": "poste", "type": "text", "label": "Produit", "required": True},
                    {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
                ],
            },
        ],
        "rules": ["budget_equilibre"],
    },
    "formation": {
        "key": "formation",
        "title": "La formation, l'emploi ou la situation personnelle",
        "intro": "Votre situation et la formation, le stage ou l'emploi concerné.",
        "fields": [
            {
                "key": "situation",
                "type": "choice",
                "label": "Votre situation",
                "required": True,
                "choices": [
                    ["etudiant", "Étudiant ou étudiante"],
                    ["apprenti", "Apprenti ou apprentie"],
                    ["demandeur_emploi", "Demandeur ou demandeuse d'emploi"],
                    ["salarie", "Salarié ou salariée"],
                    ["employeur", "Employeur"],
                ],
            },
            {
                "key": "etablissement",
                "type": "text",
                "label": "Établissement de formation ou organisme d'accueil",
                "required": True,
            },
            {
                "key": "intitule_formation",
                "type": "text",
                "label": "Formation, stage ou poste",
                "required": True,
            },
            {"key": "pays", "type": "text", "label": "Pays (si à l'étranger)", "required": False},
            {
                "key": "duree_mois",
                "type": "integer",
                "label": "Durée, en mois",
                "required": True,
                "min": 1,
                "max": 60,
            },
            {
                "key": "ressources_mensuelles",
                "type": "amount",
                "label": "Vos ressources mensuelles (€)",
                "required": True,
                "condition": {
                    "field": "situation",
                    "in": ["etudiant", "apprenti", "demandeur_emploi", "salarie"],
                },
            },
            {
                "key": "boursier",
                "type": "yesno",
                "label": "Êtes-vous boursier ou boursière ?",
                "required": True,
                "condition": {"field": "situation", "equals": "etudiant"},
            },
            {
                "key": "emplois_crees",
                "type": "integer",
                "label": "Nombre d'emplois créés",
                "required": True,
                "condition": {"field": "situation", "equals": "employeur"},
            },
            {
                "key": "type_contrat",
                "type": "choice",
                "label": "Type de contrat",
                "required": True,
                "condition": {"field": "situation", "equals": "employeur"},
                "choices": [["cdi", "CDI"], ["cdd", "CDD"], ["apprentissage", "Apprentissage"]],
            },
        ],
        "rules": [],
    },
    "economie": {
        "key": "economie",
        "title": "L'entreprise et son projet",
        "intro": "Taille de l'entreprise, aides publiques déjà reçues et caractère innovant.",
        "fields": [
            {
                "key": "effectif",
                "type": "integer",
                "label": "Effectif salarié (ETP)",
                "required": True,
            },
            {
                "key": "chiffre_affaires",
                "type": "amount",
                "label": "Chiffre d'affaires du dernier exercice (€)",
                "required": True,
            },
            {
                "key": "categorie_entreprise",
                "type": "choice",
                "label": "Catégorie d'entreprise (définition européenne)",
                "required": True,
                "choices": [
                    ["micro", "Micro-entreprise"],
                    ["pme", "PME"],
                    ["eti", "Entreprise de taille intermédiaire"],
                    ["ge", "Grande entreprise"],
                ],
            },
            {
                "key": "aides_de_minimis",
                "type": "amount",
                "label": "Aides de minimis reçues sur les trois derniers exercices (€)",
                "help": "Le total des aides publiques dites « de minimis » ; indiquez 0 si aucune.",
                "required": True,
            },
            {
                "key": "programme_rd",
                "type": "yesno",
                "label": "Le projet comporte-t-il de la R&D ?",
                "required": True,
            },
            {
                "key": "description_innovation",
                "type": "textarea",
                "label": "En quoi le projet est-il innovant ?",
                "required": True,
                "condition": {"field": "programme_rd", "equals": True},
            },
            {"key": "export", "type": "yesno", "label": "Exportez-vous ?", "required": True},
            {
                "key": "part_export",
                "type": "percentage",
                "label": "Part du chiffre d'affaires réalisée à l'export (%)",
                "required": True,
                "condition": {"field": "export", "equals": True},
            },
        ],
        "rules": [],
    },
}
