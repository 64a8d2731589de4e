-- query: SELECT id, grp, val, txt FROM src
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=id, pgType=bigint], OutputColumn[name=grp, pgType=integer], OutputColumn[name=val, pgType=numeric], OutputColumn[name=txt, pgType=text]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, grp, val, txt]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "r"."id" AS "id",
       "r"."grp" AS "grp",
       "r"."val" AS "val",
       "r"."txt" AS "txt",
       "r"."__pgt_id0" AS "__pgt_row_id"
FROM (
  SELECT "p"."id" AS "id",
         "p"."grp" AS "grp",
         "p"."val" AS "val",
         "p"."txt" AS "txt",
         "p"."__pgt_id0"
  FROM (
    SELECT "t"."id",
           "t"."grp",
           "t"."val",
           "t"."txt",
           "t"."id" AS "__pgt_id0"
    FROM "public"."src" AS "t"
  ) AS "p"
) AS "r"
WITH NO DATA;

ALTER TABLE "public"."st" ADD PRIMARY KEY ("__pgt_row_id");

-- refresh
WITH "__pgt_prev" AS (
  SELECT ($1)::pg_snapshot AS "frontier"
),
"__pgt_1_scan_src" AS (
  SELECT "c"."id",
         "c"."grp",
         "c"."val",
         "c"."txt",
         "c"."id" AS "__pgt_id0",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16384" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_2_project" AS (
  SELECT "p"."id" AS "id",
         "p"."grp" AS "grp",
         "p"."val" AS "val",
         "p"."txt" AS "txt",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_1_scan_src" AS "p"
),
"__pgt_3_net" AS (
  SELECT "r"."id" AS "id",
         "r"."grp" AS "grp",
         "r"."val" AS "val",
         "r"."txt" AS "txt",
         "r"."__pgt_id0" AS "__pgt_row_id",
         (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) AS "__pgt_w"
  FROM "__pgt_2_project" AS "r"
  GROUP BY 1, 2, 3, 4, 5
  HAVING (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) <> 0
)
MERGE INTO "public"."st" AS "t"
USING (
  SELECT DISTINCT ON ("n"."__pgt_row_id") "n".*
  FROM "__pgt_3_net" AS "n"
  ORDER BY "n"."__pgt_row_id", "n"."__pgt_w" DESC
) AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND "s"."__pgt_w" < 0 THEN
  DELETE
WHEN MATCHED AND "s"."__pgt_w" > 0 AND ("t"."id", "t"."grp", "t"."val", "t"."txt") IS DISTINCT FROM ("s"."id", "s"."grp", "s"."val", "s"."txt") THEN
  UPDATE SET "id" = "s"."id",
             "grp" = "s"."grp",
             "val" = "s"."val",
             "txt" = "s"."txt"
WHEN NOT MATCHED AND "s"."__pgt_w" > 0 THEN
  INSERT ("id", "grp", "val", "txt", "__pgt_row_id")
  VALUES ("s"."id", "s"."grp", "s"."val", "s"."txt", "s"."__pgt_row_id");
