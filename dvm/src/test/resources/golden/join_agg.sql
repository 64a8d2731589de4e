-- query: SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s JOIN dim d ON d.grp = s.grp GROUP BY d.region
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=region, pgType=text], OutputColumn[name=n, pgType=bigint], OutputColumn[name=total, pgType=numeric]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, grp, val]], SourceUse[oid=16385, schema=public, table=dim, columns=[grp, region]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "n"."region" AS "region",
       "n"."__pgt_count" AS "n",
       "n"."__pgt_a1" AS "total",
       "n"."region" AS "__pgt_row_id",
       "n"."__pgt_count",
       "n"."__pgt_a1"
FROM (
  SELECT "p"."region" AS "region",
         count(*) AS "__pgt_count",
         sum("p"."val") AS "__pgt_a1"
  FROM (
    SELECT "p"."region" AS "region",
           "p"."val" AS "val",
           "p"."__pgt_id0"
    FROM (
      SELECT "l"."val" AS "val",
             "r"."region" AS "region",
             "l"."__pgt_id0"
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
      ) AS "l"
      JOIN (
        SELECT "p"."grp" AS "grp",
               "p"."region" AS "region",
               "p"."__pgt_id0"
        FROM (
          SELECT "t"."grp",
                 "t"."region",
                 "t"."grp" AS "__pgt_id0"
          FROM "public"."dim" AS "t"
        ) AS "p"
      ) AS "r" ON "r"."grp" = "l"."grp"
    ) AS "p"
  ) AS "p"
  GROUP BY "p"."region"
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
"__pgt_3_scan_dim" AS (
  SELECT "c"."grp",
         "c"."region",
         "c"."grp" AS "__pgt_id0",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16385" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_4_project" AS (
  SELECT "p"."grp" AS "grp",
         "p"."region" AS "region",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_3_scan_dim" AS "p"
),
"__pgt_5_join" AS (
  SELECT "l"."val" AS "val",
         "r"."region" AS "region",
         "l"."__pgt_id0",
         "l"."__pgt_w" AS "__pgt_w"
  FROM "__pgt_2_project" AS "l"
  JOIN (
    SELECT "p"."grp" AS "grp",
           "p"."region" AS "region",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."grp",
             "t"."region",
             "t"."grp" AS "__pgt_id0"
      FROM "public"."dim" AS "t"
    ) AS "p"
  ) AS "r" ON "r"."grp" = "l"."grp"
  UNION ALL
  SELECT "l"."val" AS "val",
         "r"."region" AS "region",
         "l"."__pgt_id0",
         "r"."__pgt_w" AS "__pgt_w"
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
  ) AS "l"
  JOIN "__pgt_4_project" AS "r" ON "r"."grp" = "l"."grp"
  UNION ALL
  SELECT "l"."val" AS "val",
         "r"."region" AS "region",
         "l"."__pgt_id0",
         -("l"."__pgt_w" * "r"."__pgt_w") AS "__pgt_w"
  FROM "__pgt_2_project" AS "l"
  JOIN "__pgt_4_project" AS "r" ON "r"."grp" = "l"."grp"
),
"__pgt_6_project" AS (
  SELECT "p"."region" AS "region",
         "p"."val" AS "val",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_5_join" AS "p"
),
"__pgt_7_agg_delta" AS (
  SELECT "d"."region" AS "region",
         "d"."region" AS "__pgt_row_id",
         (count(*) FILTER (WHERE "d"."__pgt_w" > 0) - count(*) FILTER (WHERE "d"."__pgt_w" < 0)) AS "__pgt_count"
  FROM "__pgt_6_project" AS "d"
  GROUP BY "d"."region"
),
"__pgt_8_agg_new" AS (
  SELECT "d"."region",
         "d"."__pgt_row_id",
         "r"."__pgt_count" AS "__pgt_count",
         "r"."__pgt_a1" AS "__pgt_a1"
  FROM "__pgt_7_agg_delta" AS "d"
  LEFT JOIN "public"."st" AS "t" ON "t"."__pgt_row_id" = "d"."__pgt_row_id"
  LEFT JOIN LATERAL (
    SELECT count(*) AS "__pgt_count",
           sum("p"."val") AS "__pgt_a1"
    FROM (
      SELECT "p"."region" AS "region",
             "p"."val" AS "val",
             "p"."__pgt_id0"
      FROM (
        SELECT "l"."val" AS "val",
               "r"."region" AS "region",
               "l"."__pgt_id0"
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
        ) AS "l"
        JOIN (
          SELECT "p"."grp" AS "grp",
                 "p"."region" AS "region",
                 "p"."__pgt_id0"
          FROM (
            SELECT "t"."grp",
                   "t"."region",
                   "t"."grp" AS "__pgt_id0"
            FROM "public"."dim" AS "t"
          ) AS "p"
        ) AS "r" ON "r"."grp" = "l"."grp"
      ) AS "p"
    ) AS "p"
    WHERE "p"."region" = "d"."region"
  ) AS "r" ON true
),
"__pgt_9_agg_apply" AS (
  SELECT "n"."region" AS "region",
         "n"."__pgt_count" AS "n",
         "n"."__pgt_a1" AS "total",
         "n"."__pgt_row_id" AS "__pgt_row_id",
         "n"."__pgt_count",
         "n"."__pgt_a1",
         "n"."__pgt_count" > 0 AS "__pgt_keep"
  FROM "__pgt_8_agg_new" AS "n"
)
MERGE INTO "public"."st" AS "t"
USING "__pgt_9_agg_apply" AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND NOT "s"."__pgt_keep" THEN
  DELETE
WHEN MATCHED THEN
  UPDATE SET "region" = "s"."region",
             "n" = "s"."n",
             "total" = "s"."total",
             "__pgt_count" = "s"."__pgt_count",
             "__pgt_a1" = "s"."__pgt_a1"
WHEN NOT MATCHED AND "s"."__pgt_keep" THEN
  INSERT ("region", "n", "total", "__pgt_row_id", "__pgt_count", "__pgt_a1")
  VALUES ("s"."region", "s"."n", "s"."total", "s"."__pgt_row_id", "s"."__pgt_count", "s"."__pgt_a1");
