-- query: SELECT id, val FROM src WHERE flag
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=id, pgType=bigint], OutputColumn[name=val, pgType=numeric]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, val, flag]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "r"."id" AS "id",
       "r"."val" AS "val",
       "r"."__pgt_id0" AS "__pgt_row_id"
FROM (
  SELECT "p"."id" AS "id",
         "p"."val" AS "val",
         "p"."__pgt_id0"
  FROM (
    SELECT "f".*
    FROM (
      SELECT "p"."id" AS "id",
             "p"."val" AS "val",
             "p"."flag" AS "flag",
             "p"."__pgt_id0"
      FROM (
        SELECT "t"."id",
               "t"."val",
               "t"."flag",
               "t"."id" AS "__pgt_id0"
        FROM "public"."src" AS "t"
      ) AS "p"
    ) AS "f"
    WHERE "f"."flag"
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
         "c"."val",
         "c"."flag",
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
         "p"."val" AS "val",
         "p"."flag" AS "flag",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_1_scan_src" AS "p"
),
"__pgt_3_filter" AS (
  SELECT "f".*
  FROM "__pgt_2_project" AS "f"
  WHERE "f"."flag"
),
"__pgt_4_project" AS (
  SELECT "p"."id" AS "id",
         "p"."val" AS "val",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_3_filter" AS "p"
),
"__pgt_5_net" AS (
  SELECT "r"."id" AS "id",
         "r"."val" AS "val",
         "r"."__pgt_id0" AS "__pgt_row_id",
         (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) AS "__pgt_w"
  FROM "__pgt_4_project" AS "r"
  GROUP BY 1, 2, 3
  HAVING (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) <> 0
)
MERGE INTO "public"."st" AS "t"
USING (
  SELECT DISTINCT ON ("n"."__pgt_row_id") "n".*
  FROM "__pgt_5_net" AS "n"
  ORDER BY "n"."__pgt_row_id", "n"."__pgt_w" DESC
) AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND "s"."__pgt_w" < 0 THEN
  DELETE
WHEN MATCHED AND "s"."__pgt_w" > 0 AND ("t"."id", "t"."val") IS DISTINCT FROM ("s"."id", "s"."val") THEN
  UPDATE SET "id" = "s"."id",
             "val" = "s"."val"
WHEN NOT MATCHED AND "s"."__pgt_w" > 0 THEN
  INSERT ("id", "val", "__pgt_row_id")
  VALUES ("s"."id", "s"."val", "s"."__pgt_row_id");
