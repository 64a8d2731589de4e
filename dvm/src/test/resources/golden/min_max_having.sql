-- query: SELECT grp, min(val) AS lo, max(val) AS hi FROM src GROUP BY grp HAVING count(*) > 1
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=grp, pgType=integer], OutputColumn[name=lo, pgType=numeric], OutputColumn[name=hi, pgType=numeric]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, grp, val]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "n"."grp" AS "grp",
       "n"."__pgt_a0" AS "lo",
       "n"."__pgt_a1" AS "hi",
       "n"."grp" AS "__pgt_row_id",
       "n"."__pgt_count",
       "n"."__pgt_a0",
       "n"."__pgt_a1"
FROM (
  SELECT "p"."grp" AS "grp",
         count(*) AS "__pgt_count",
         min("p"."val") AS "__pgt_a0",
         max("p"."val") AS "__pgt_a1"
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
WHERE "n"."__pgt_count" > 0 AND coalesce("n"."__pgt_count" > 1, false)
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
"__pgt_3_consolidate" AS (
  SELECT "d"."grp",
         "d"."val",
         "d"."__pgt_id0",
         (count(*) FILTER (WHERE "d"."__pgt_w" > 0) - count(*) FILTER (WHERE "d"."__pgt_w" < 0)) AS "__pgt_w"
  FROM "__pgt_2_project" AS "d"
  GROUP BY 1, 2, 3
  HAVING (count(*) FILTER (WHERE "d"."__pgt_w" > 0) - count(*) FILTER (WHERE "d"."__pgt_w" < 0)) <> 0
),
"__pgt_4_agg_delta" AS (
  SELECT "d"."grp" AS "grp",
         "d"."grp" AS "__pgt_row_id",
         sum("d"."__pgt_w")::bigint AS "__pgt_count",
         min("d"."val") FILTER (WHERE "d"."__pgt_w" > 0) AS "__pgt_a0_ins",
         min("d"."val") FILTER (WHERE "d"."__pgt_w" < 0) AS "__pgt_a0_del",
         max("d"."val") FILTER (WHERE "d"."__pgt_w" > 0) AS "__pgt_a1_ins",
         max("d"."val") FILTER (WHERE "d"."__pgt_w" < 0) AS "__pgt_a1_del"
  FROM "__pgt_3_consolidate" AS "d"
  GROUP BY "d"."grp"
),
"__pgt_5_agg_new" AS (
  SELECT "d"."grp",
         "d"."__pgt_row_id",
         CASE WHEN ("t"."__pgt_row_id" IS NULL OR "d"."__pgt_a0_del" <= "t"."__pgt_a0" OR "d"."__pgt_a1_del" >= "t"."__pgt_a1") THEN "r"."__pgt_count" ELSE coalesce("t"."__pgt_count", 0) + "d"."__pgt_count" END AS "__pgt_count",
         CASE WHEN ("t"."__pgt_row_id" IS NULL OR "d"."__pgt_a0_del" <= "t"."__pgt_a0" OR "d"."__pgt_a1_del" >= "t"."__pgt_a1") THEN "r"."__pgt_a0" ELSE least("t"."__pgt_a0", "d"."__pgt_a0_ins") END AS "__pgt_a0",
         CASE WHEN ("t"."__pgt_row_id" IS NULL OR "d"."__pgt_a0_del" <= "t"."__pgt_a0" OR "d"."__pgt_a1_del" >= "t"."__pgt_a1") THEN "r"."__pgt_a1" ELSE greatest("t"."__pgt_a1", "d"."__pgt_a1_ins") END AS "__pgt_a1"
  FROM "__pgt_4_agg_delta" AS "d"
  LEFT JOIN "public"."st" AS "t" ON "t"."__pgt_row_id" = "d"."__pgt_row_id"
  LEFT JOIN LATERAL (
    SELECT count(*) AS "__pgt_count",
           min("p"."val") AS "__pgt_a0",
           max("p"."val") AS "__pgt_a1"
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
    WHERE ("t"."__pgt_row_id" IS NULL OR "d"."__pgt_a0_del" <= "t"."__pgt_a0" OR "d"."__pgt_a1_del" >= "t"."__pgt_a1")
      AND "p"."grp" = "d"."grp"
  ) AS "r" ON true
),
"__pgt_6_agg_apply" AS (
  SELECT "n"."grp" AS "grp",
         "n"."__pgt_a0" AS "lo",
         "n"."__pgt_a1" AS "hi",
         "n"."__pgt_row_id" AS "__pgt_row_id",
         "n"."__pgt_count",
         "n"."__pgt_a0",
         "n"."__pgt_a1",
         "n"."__pgt_count" > 0 AND coalesce("n"."__pgt_count" > 1, false) AS "__pgt_keep"
  FROM "__pgt_5_agg_new" AS "n"
)
MERGE INTO "public"."st" AS "t"
USING "__pgt_6_agg_apply" AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND NOT "s"."__pgt_keep" THEN
  DELETE
WHEN MATCHED THEN
  UPDATE SET "grp" = "s"."grp",
             "lo" = "s"."lo",
             "hi" = "s"."hi",
             "__pgt_count" = "s"."__pgt_count",
             "__pgt_a0" = "s"."__pgt_a0",
             "__pgt_a1" = "s"."__pgt_a1"
WHEN NOT MATCHED AND "s"."__pgt_keep" THEN
  INSERT ("grp", "lo", "hi", "__pgt_row_id", "__pgt_count", "__pgt_a0", "__pgt_a1")
  VALUES ("s"."grp", "s"."lo", "s"."hi", "s"."__pgt_row_id", "s"."__pgt_count", "s"."__pgt_a0", "s"."__pgt_a1");
