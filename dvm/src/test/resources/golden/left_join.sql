-- query: SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=id, pgType=bigint], OutputColumn[name=name, pgType=text]]
-- sources: [SourceUse[oid=16384, schema=public, table=src, columns=[id, grp]], SourceUse[oid=16385, schema=public, table=dim, columns=[grp, name]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "r"."id" AS "id",
       "r"."name" AS "name",
       "r"."__pgt_id0" AS "__pgt_row_id"
FROM (
  SELECT "p"."id" AS "id",
         "p"."name" AS "name",
         "p"."__pgt_id0"
  FROM (
    SELECT "l"."id" AS "id",
           "r"."name" AS "name",
           "l"."__pgt_id0" AS "__pgt_id0"
    FROM (
      SELECT "p"."id" AS "id",
             "p"."grp" AS "grp",
             "p"."__pgt_id0"
      FROM (
        SELECT "t"."id",
               "t"."grp",
               "t"."id" AS "__pgt_id0"
        FROM "public"."src" AS "t"
      ) AS "p"
    ) AS "l"
    LEFT JOIN (
      SELECT "p"."grp" AS "grp",
             "p"."name" AS "name",
             "p"."__pgt_id0"
      FROM (
        SELECT "t"."grp",
               "t"."name",
               "t"."grp" AS "__pgt_id0"
        FROM "public"."dim" AS "t"
      ) AS "p"
    ) AS "r" ON "r"."grp" = "l"."grp"
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
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_1_scan_src" AS "p"
),
"__pgt_3_scan_dim" AS (
  SELECT "c"."grp",
         "c"."name",
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
         "p"."name" AS "name",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_3_scan_dim" AS "p"
),
"__pgt_5_candidates" AS (
  SELECT "l"."__pgt_id0"
  FROM "__pgt_2_project" AS "l"
  UNION
  SELECT "l"."__pgt_id0"
  FROM (
    SELECT "p"."id" AS "id",
           "p"."grp" AS "grp",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."id",
             "t"."grp",
             "t"."id" AS "__pgt_id0"
      FROM "public"."src" AS "t"
    ) AS "p"
  ) AS "l"
  JOIN "__pgt_4_project" AS "r" ON "r"."grp" = "l"."grp"
),
"__pgt_6_preserved" AS (
  SELECT "l"."id", "l"."grp", "l"."__pgt_id0", 1::bigint AS "__pgt_w"
  FROM (
    SELECT "p"."id" AS "id",
           "p"."grp" AS "grp",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."id",
             "t"."grp",
             "t"."id" AS "__pgt_id0"
      FROM "public"."src" AS "t"
    ) AS "p"
  ) AS "l"
  WHERE ("l"."__pgt_id0") IN (SELECT * FROM "__pgt_5_candidates")
),
"__pgt_7_preserved_pre" AS (
  SELECT "l"."id", "l"."grp", "l"."__pgt_id0", "l"."__pgt_w"
  FROM "__pgt_6_preserved" AS "l"
  UNION ALL
  SELECT "l"."id", "l"."grp", "l"."__pgt_id0", -"l"."__pgt_w"
  FROM "__pgt_2_project" AS "l"
),
"__pgt_8_left_join" AS (
  SELECT "l"."id" AS "id",
         "r"."name" AS "name",
         "l"."__pgt_id0" AS "__pgt_id0",
         "l"."__pgt_w" AS "__pgt_w"
  FROM "__pgt_2_project" AS "l"
  JOIN (
    SELECT "p"."grp" AS "grp",
           "p"."name" AS "name",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."grp",
             "t"."name",
             "t"."grp" AS "__pgt_id0"
      FROM "public"."dim" AS "t"
    ) AS "p"
  ) AS "r" ON "r"."grp" = "l"."grp"
  UNION ALL
  SELECT "l"."id" AS "id",
         "r"."name" AS "name",
         "l"."__pgt_id0" AS "__pgt_id0",
         "r"."__pgt_w" AS "__pgt_w"
  FROM (
    SELECT "p"."id" AS "id",
           "p"."grp" AS "grp",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."id",
             "t"."grp",
             "t"."id" AS "__pgt_id0"
      FROM "public"."src" AS "t"
    ) AS "p"
  ) AS "l"
  JOIN "__pgt_4_project" AS "r" ON "r"."grp" = "l"."grp"
  UNION ALL
  SELECT "l"."id" AS "id",
         "r"."name" AS "name",
         "l"."__pgt_id0" AS "__pgt_id0",
         -("l"."__pgt_w" * "r"."__pgt_w") AS "__pgt_w"
  FROM "__pgt_2_project" AS "l"
  JOIN "__pgt_4_project" AS "r" ON "r"."grp" = "l"."grp"
  UNION ALL
  SELECT "l"."id" AS "id",
         NULL AS "name",
         "l"."__pgt_id0" AS "__pgt_id0",
         "l"."__pgt_w" AS "__pgt_w"
  FROM "__pgt_6_preserved" AS "l"
  WHERE NOT EXISTS (
    SELECT 1 FROM (
      SELECT "p"."grp" AS "grp",
             "p"."name" AS "name",
             "p"."__pgt_id0"
      FROM (
        SELECT "t"."grp",
               "t"."name",
               "t"."grp" AS "__pgt_id0"
        FROM "public"."dim" AS "t"
      ) AS "p"
    ) AS "r" WHERE "r"."grp" = "l"."grp"
  )
  UNION ALL
  SELECT "l"."id" AS "id",
         NULL AS "name",
         "l"."__pgt_id0" AS "__pgt_id0",
         -"l"."__pgt_w" AS "__pgt_w"
  FROM "__pgt_7_preserved_pre" AS "l"
  WHERE (SELECT count(*) FROM (
    SELECT "p"."grp" AS "grp",
           "p"."name" AS "name",
           "p"."__pgt_id0"
    FROM (
      SELECT "t"."grp",
             "t"."name",
             "t"."grp" AS "__pgt_id0"
      FROM "public"."dim" AS "t"
    ) AS "p"
  ) AS "r" WHERE "r"."grp" = "l"."grp")
    - coalesce((SELECT sum("r"."__pgt_w") FROM "__pgt_4_project" AS "r" WHERE "r"."grp" = "l"."grp"), 0) = 0
),
"__pgt_9_project" AS (
  SELECT "p"."id" AS "id",
         "p"."name" AS "name",
         "p"."__pgt_id0",
         "p"."__pgt_w"
  FROM "__pgt_8_left_join" AS "p"
),
"__pgt_10_net" AS (
  SELECT "r"."id" AS "id",
         "r"."name" AS "name",
         "r"."__pgt_id0" AS "__pgt_row_id",
         sum("r"."__pgt_w")::bigint AS "__pgt_w"
  FROM "__pgt_9_project" AS "r"
  GROUP BY 1, 2, 3
  HAVING sum("r"."__pgt_w")::bigint <> 0
)
MERGE INTO "public"."st" AS "t"
USING (
  SELECT DISTINCT ON ("n"."__pgt_row_id") "n".*
  FROM "__pgt_10_net" AS "n"
  ORDER BY "n"."__pgt_row_id", "n"."__pgt_w" DESC
) AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id"
WHEN MATCHED AND "s"."__pgt_w" < 0 THEN
  DELETE
WHEN MATCHED AND "s"."__pgt_w" > 0 AND ("t"."id", "t"."name") IS DISTINCT FROM ("s"."id", "s"."name") THEN
  UPDATE SET "id" = "s"."id",
             "name" = "s"."name"
WHEN NOT MATCHED AND "s"."__pgt_w" > 0 THEN
  INSERT ("id", "name", "__pgt_row_id")
  VALUES ("s"."id", "s"."name", "s"."__pgt_row_id");
