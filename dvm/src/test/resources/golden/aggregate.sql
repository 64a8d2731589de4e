-- query: SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=grp, pgType=integer], OutputColumn[name=n, pgType=bigint], OutputColumn[name=total, pgType=numeric]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, grp, val]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "n"."grp" AS "grp",
       "n"."__pgt_count" AS "n",
       "n"."__pgt_a1" AS "total",
       "n"."grp" AS "__pgt_row_id",
       "n"."__pgt_count",
       "n"."__pgt_a1"
FROM (
  SELECT "p"."grp" AS "grp",
         count(*) AS "__pgt_count",
         sum("p"."val") AS "__pgt_a1"
  FROM (
    SELECT "p"."grp" AS "grp",
           "p"."val" AS "val",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."grp",
             "t"."val",
             "t"."id" AS "__pgt_id0"
      FROM "public"."src" AS "t"
    ) AS "p"
  ) AS "p"
  GROUP BY "p"."grp"
) AS "n"
WHERE "n"."__pgt_count" > 0
WITH NO DATA;

ALTER TABLE "public"."st" ADD PRIMARY KEY ("__pgt_row_id");

-- refresh
WITH "__pgt_prev" AS (
  SELECT ($1)::pg_snapshot AS "frontier"
),
"__pgt_1_scan_src" AS (
  SELECT "c"."grp",
         "c"."val",
         "c"."id" AS "__pgt_id0",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16384" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_2_project" AS (
  SELECT "p"."grp" AS "grp",
         "p"."val" AS "val",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_1_scan_src" AS "p"
),
"__pgt_3_agg_delta" AS (
  SELECT "d"."grp" AS "grp",
         "d"."grp" AS "__pgt_row_id",
         (count(*) FILTER (WHERE "d"."__pgt_w" > 0) - count(*) FILTER (WHERE "d"."__pgt_w" < 0)) AS "__pgt_count"
  FROM "__pgt_2_project" AS "d"
  GROUP BY "d"."grp"
),
"__pgt_4_agg_new" AS (
  SELECT "d"."grp",
         "d"."__pgt_row_id",
         "r"."__pgt_count" AS "__pgt_count",
         "r"."__pgt_a1" AS "__pgt_a1"
  FROM "__pgt_3_agg_delta" AS "d"
  LEFT JOIN "public"."st" AS "t" ON "t"."__pgt_row_id" = "d"."__pgt_row_id"
  LEFT JOIN LATERAL (
    SELECT count(*) AS "__pgt_count",
           sum("p"."val") AS "__pgt_a1"
    FROM (
      SELECT "p"."grp" AS "grp",
             "p"."val" AS "val",
             "p"."__pgt_id0"
      FROM (
        SELECT "t"."grp",
               "t"."val",
               "t"."id" AS "__pgt_id0"
        FROM "public"."src" AS "t"
      ) AS "p"
    ) AS "p"
    WHERE "p"."grp" = "d"."grp"
  ) AS "r" ON true
),
"__pgt_5_agg_apply" AS (
  SELECT "n"."grp" AS "grp",
         "n"."__pgt_count" AS "n",
         "n"."__pgt_a1" AS "total",
         "n"."__pgt_row_id" AS "__pgt_row_id",
         "n"."__pgt_count",
         "n"."__pgt_a1",
         "n"."__pgt_count" > 0 AS "__pgt_keep"
  FROM "__pgt_4_agg_new" AS "n"
)
MERGE INTO "public"."st" AS "t"
USING "__pgt_5_agg_apply" AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND NOT "s"."__pgt_keep" THEN
  DELETE
WHEN MATCHED THEN
  UPDATE SET "grp" = "s"."grp",
             "n" = "s"."n",
             "total" = "s"."total",
             "__pgt_count" = "s"."__pgt_count",
             "__pgt_a1" = "s"."__pgt_a1"
WHEN NOT MATCHED AND "s"."__pgt_keep" THEN
  INSERT ("grp", "n", "total", "__pgt_row_id", "__pgt_count", "__pgt_a1")
  VALUES ("s"."grp", "s"."n", "s"."total", "s"."__pgt_row_id", "s"."__pgt_count", "s"."__pgt_a1");
