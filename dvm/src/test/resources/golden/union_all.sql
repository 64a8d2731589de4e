-- query: SELECT id AS k FROM src UNION ALL SELECT grp FROM dim
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=k, pgType=bigint]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id]], SourceUse[oid=16385, schema=public, table=dim, columns=[grp]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "r"."k" AS "k",
       "r"."__pgt_id0" AS "__pgt_row_id"
FROM (
  SELECT "u"."k" AS "k",
         '0:' || ROW("u"."__pgt_id0")::text AS "__pgt_id0"
  FROM (
    SELECT "p"."id" AS "k",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."id",
             "t"."id" AS "__pgt_id0"
      FROM "public"."src" AS "t"
    ) AS "p"
  ) AS "u"
  UNION ALL
  SELECT "u"."grp" AS "k",
         '1:' || ROW("u"."__pgt_id0")::text AS "__pgt_id0"
  FROM (
    SELECT CAST("p"."grp" AS BIGINT) AS "grp",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."grp",
             "t"."grp" AS "__pgt_id0"
      FROM "public"."dim" AS "t"
    ) AS "p"
  ) AS "u"
) AS "r"
WITH NO DATA;

ALTER TABLE "public"."st" ADD PRIMARY KEY ("__pgt_row_id");

-- refresh
WITH "__pgt_prev" AS (
  SELECT ($1)::pg_snapshot AS "frontier"
),
"__pgt_1_scan_src" AS (
  SELECT "c"."id",
         "c"."id" AS "__pgt_id0",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16384" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_2_project" AS (
  SELECT "p"."id" AS "k",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_1_scan_src" AS "p"
),
"__pgt_3_scan_dim" AS (
  SELECT "c"."grp",
         "c"."grp" AS "__pgt_id0",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16385" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_4_project" AS (
  SELECT CAST("p"."grp" AS BIGINT) AS "grp",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_3_scan_dim" AS "p"
),
"__pgt_5_union_all" AS (
  SELECT "u"."k" AS "k",
         '0:' || ROW("u"."__pgt_id0")::text AS "__pgt_id0",
         "u"."__pgt_w"
  FROM "__pgt_2_project" AS "u"
  UNION ALL
  SELECT "u"."grp" AS "k",
         '1:' || ROW("u"."__pgt_id0")::text AS "__pgt_id0",
         "u"."__pgt_w"
  FROM "__pgt_4_project" AS "u"
),
"__pgt_6_net" AS (
  SELECT "r"."k" AS "k",
         "r"."__pgt_id0" AS "__pgt_row_id",
         (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) AS "__pgt_w"
  FROM "__pgt_5_union_all" AS "r"
  GROUP BY 1, 2
  HAVING (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) <> 0
)
MERGE INTO "public"."st" AS "t"
USING (
  SELECT DISTINCT ON ("n"."__pgt_row_id") "n".*
  FROM "__pgt_6_net" AS "n"
  ORDER BY "n"."__pgt_row_id", "n"."__pgt_w" DESC
) AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND "s"."__pgt_w" < 0 THEN
  DELETE
WHEN MATCHED AND "s"."__pgt_w" > 0 AND "t"."k" IS DISTINCT FROM "s"."k" THEN
  UPDATE SET "k" = "s"."k"
WHEN NOT MATCHED AND "s"."__pgt_w" > 0 THEN
  INSERT ("k", "__pgt_row_id")
  VALUES ("s"."k", "s"."__pgt_row_id");
