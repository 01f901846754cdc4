"""Database triggers that keep `instruction_compteurdossiers` exact for every non-draft dossier:
count and amount asked per (scheme, département, state). PostgreSQL uses statement-level
triggers with transition tables (one grouped upsert per statement, so bulk loads stay fast);
SQLite uses row-level triggers. `compteurs_recalculer` rebuilds the table from scratch."""

from django.db import connection, transaction

TABLE = "instruction_compteurdossiers"

_CHANGE_PG = (
    "(n.etat, n.dispositif_id, n.departement, n.montant_demande) IS DISTINCT FROM "
    "(o.etat, o.dispositif_id, o.departement, o.montant_demande)"
)


def _moins_pg(source: str) -> str:
    return f"""
    UPDATE {TABLE} c SET nombre = c.nombre - g.n, montant_demande = c.montant_demande - g.m
    FROM (SELECT o.dispositif_id, o.departement, o.etat, count(*) AS n,
                 coalesce(sum(o.montant_demande), 0) AS m
          FROM {source} WHERE o.etat <> 'brouillon' GROUP BY 1, 2, 3) g
    WHERE c.dispositif_id = g.dispositif_id AND c.departement = g.departement
      AND c.etat = g.etat;"""


def _plus_pg(source: str) -> str:
    return f"""
    INSERT INTO {TABLE} (dispositif_id, departement, etat, nombre, montant_demande)
    SELECT n.dispositif_id, n.departement, n.etat, count(*), coalesce(sum(n.montant_demande), 0)
    FROM {source} WHERE n.etat <> 'brouillon'
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (dispositif_id, departement, etat) DO UPDATE
      SET nombre = {TABLE}.nombre + EXCLUDED.nombre,
          montant_demande = {TABLE}.montant_demande + EXCLUDED.montant_demande;"""


# Each branch only names the transition tables its event has (PL/pgSQL plans lazily).
POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION instruction_compteur_appliquer() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_plus_pg("nouveaux n")}
  ELSIF TG_OP = 'DELETE' THEN
    {_moins_pg("anciens o")}
  ELSE
    {_moins_pg(f"anciens o JOIN nouveaux n ON n.id = o.id AND {_CHANGE_PG}")}
    {_plus_pg(f"nouveaux n JOIN anciens o ON o.id = n.id AND {_CHANGE_PG}")}
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE OR REPLACE FUNCTION instruction_compteur_vider() RETURNS trigger AS $$
BEGIN
  DELETE FROM {TABLE};
  DELETE FROM instruction_cumulpilotage;
  DELETE FROM instruction_dureeinstruction;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
""",
    "DROP TRIGGER IF EXISTS instruction_compteur_ins ON dispositifs_dossier",
    "DROP TRIGGER IF EXISTS instruction_compteur_upd ON dispositifs_dossier",
    "DROP TRIGGER IF EXISTS instruction_compteur_del ON dispositifs_dossier",
    "DROP TRIGGER IF EXISTS instruction_compteur_tru ON dispositifs_dossier",
    "CREATE TRIGGER instruction_compteur_tru AFTER TRUNCATE ON dispositifs_dossier "
    "FOR EACH STATEMENT EXECUTE FUNCTION instruction_compteur_vider()",
    "CREATE TRIGGER instruction_compteur_ins AFTER INSERT ON dispositifs_dossier "
    "REFERENCING NEW TABLE AS nouveaux FOR EACH STATEMENT "
    "EXECUTE FUNCTION instruction_compteur_appliquer()",
    "CREATE TRIGGER instruction_compteur_upd AFTER UPDATE ON dispositifs_dossier "
    "REFERENCING OLD TABLE AS anciens NEW TABLE AS nouveaux FOR EACH STATEMENT "
    "EXECUTE FUNCTION instruction_compteur_appliquer()",
    "CREATE TRIGGER instruction_compteur_del AFTER DELETE ON dispositifs_dossier "
    "REFERENCING OLD TABLE AS anciens FOR EACH STATEMENT "
    "EXECUTE FUNCTION instruction_compteur_appliquer()",
]

_PLUS = (
    f"INSERT INTO {TABLE} (dispositif_id, departement, etat, nombre, montant_demande) "
    "VALUES (NEW.dispositif_id, NEW.departement, NEW.etat, 1, coalesce(NEW.montant_demande, 0)) "
    "ON CONFLICT (dispositif_id, departement, etat) DO UPDATE SET nombre = nombre + 1, "
    "montant_demande = montant_demande + excluded.montant_demande;"
)
_MOINS = (
    f"UPDATE {TABLE} SET nombre = nombre - 1, "
    "montant_demande = montant_demande - coalesce(OLD.montant_demande, 0) "
    "WHERE dispositif_id = OLD.dispositif_id AND departement = OLD.departement "
    "AND etat = OLD.etat;"
)
SQLITE = [
    "DROP TRIGGER IF EXISTS instruction_compteur_ins",
    "DROP TRIGGER IF EXISTS instruction_compteur_upd_moins",
    "DROP TRIGGER IF EXISTS instruction_compteur_upd_plus",
    "DROP TRIGGER IF EXISTS instruction_compteur_del",
    "CREATE TRIGGER instruction_compteur_ins AFTER INSERT ON dispositifs_dossier "
    f"WHEN NEW.etat <> 'brouillon' BEGIN {_PLUS} END",
    "CREATE TRIGGER instruction_compteur_del AFTER DELETE ON dispositifs_dossier "
    f"WHEN OLD.etat <> 'brouillon' BEGIN {_MOINS} END",
]
_CHANGE = (
    "(OLD.etat IS NOT NEW.etat OR OLD.dispositif_id IS NOT NEW.dispositif_id OR "
    "OLD.departement IS NOT NEW.departement OR OLD.montant_demande IS NOT NEW.montant_demande)"
)
SQLITE += [
    "CREATE TRIGGER instruction_compteur_upd_moins AFTER UPDATE ON dispositifs_dossier "
    f"WHEN OLD.etat <> 'brouillon' AND {_CHANGE} BEGIN {_MOINS} END",
    "CREATE TRIGGER instruction_compteur_upd_plus AFTER UPDATE ON dispositifs_dossier "
    f"WHEN NEW.etat <> 'brouillon' AND {_CHANGE} BEGIN {_PLUS} END",
]
DROP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS instruction_compteur_tru ON dispositifs_dossier",
    "DROP FUNCTION IF EXISTS instruction_compteur_vider()",
    "DROP TRIGGER IF EXISTS instruction_compteur_ins ON dispositifs_dossier",
    "DROP TRIGGER IF EXISTS instruction_compteur_upd ON dispositifs_dossier",
    "DROP TRIGGER IF EXISTS instruction_compteur_del ON dispositifs_dossier",
    "DROP FUNCTION IF EXISTS instruction_compteur_appliquer()",
]
DROP_SQLITE = [s for s in SQLITE if s.startswith("DROP")]


def installer(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def retirer(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": DROP_POSTGRESQL, "sqlite": DROP_SQLITE}.get(vendor, []):
        schema_editor.execute(statement, params=None)


@transaction.atomic
def compteurs_recalculer() -> int:
    """Rebuild the counters from the dossiers (after a restore, or to check them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (dispositif_id, departement, etat, nombre, montant_demande) "
            "SELECT dispositif_id, departement, etat, count(*), coalesce(sum(montant_demande), 0) "
            "FROM dispositifs_dossier WHERE etat <> 'brouillon' GROUP BY 1, 2, 3"
        )
        return cursor.rowcount
