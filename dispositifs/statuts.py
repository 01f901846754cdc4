"""What each state means for the applicant, in plain language: where it is, what happens next."""

from dispositifs.models import Etat

POUR_L_USAGER = {
    Etat.BROUILLON: (
        "Brouillon",
        "neutre",
        "Votre demande n'est pas encore envoyée. Reprenez-la pour la terminer et la déposer.",
    ),
    Etat.DEPOSE: (
        "Déposée",
        "info",
        "Le service instructeur vérifie que votre demande est complète, en général sous 15 jours.",
    ),
    Etat.INCOMPLET: (
        "Pièces à fournir",
        "attention",
        "Il manque des éléments : déposez-les avant la date indiquée dans le courrier.",
    ),
    Etat.EN_INSTRUCTION: (
        "En instruction",
        "info",
        "Votre demande est complète. Le service l'étudie et prépare une proposition.",
    ),
    Etat.PROPOSE: (
        "En attente de décision",
        "info",
        "Une proposition sera soumise au vote de la commission permanente.",
    ),
    Etat.ATTRIBUE: (
        "Aide accordée",
        "succes",
        "L'aide est votée. Vous recevrez l'arrêté ou la convention, puis vous pourrez demander les versements.",
    ),
    Etat.REJETE: (
        "Aide refusée",
        "erreur",
        "La décision et ses motifs sont dans votre coffre-fort, avec les voies de recours.",
    ),
    Etat.IRRECEVABLE: (
        "Irrecevable",
        "erreur",
        "La demande ne peut pas être instruite : le courrier explique pourquoi.",
    ),
    Etat.CLASSE_SANS_SUITE: ("Classée sans suite", "neutre", "La demande est close."),
    Etat.DESISTE: ("Retirée", "neutre", "Vous avez retiré cette demande."),
    Etat.EN_PAIEMENT: (
        "En paiement",
        "succes",
        "Les versements sont en cours selon l'échéancier de votre aide.",
    ),
    Etat.SOLDE: ("Soldée", "succes", "L'aide est entièrement versée."),
    Etat.CADUC: ("Caduque", "erreur", "Le délai pour utiliser l'aide est dépassé."),
}


def statut_usager(etat: str) -> dict:
    libelle, ton, suite = POUR_L_USAGER[Etat(etat)]
    return {"libelle": libelle, "ton": ton, "suite": suite}
