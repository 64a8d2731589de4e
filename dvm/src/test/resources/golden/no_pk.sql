-- query: SELECT a, b FROM nk
-- mode: DIFFERENTIAL
-- columns: [OutputColumn[name=a, pgType=integer], OutputColumn[name=b, pgType=text]]
-- sources: [SourceUse[oid=16386, schema=public, table=nk, columns=[a, b]]]

-- storage DDL
CREATE TABLE "public"."st"
WITH (fillfactor = 90) AS
SELECT "r"."a" AS "a",
       "r"."b" AS "b",
       ROW("r"."__pgt_id0", "r"."__pgt_id1", "r"."a", "r"."b")::text AS "__pgt_row_id",
       generate_series(1, count(*)) AS "__pgt_copy"
FROM (
  SELECT "t"."a",
         "t"."b",
         "t"."a" AS "__pgt_id0",
         "t"."b" AS "__pgt_id1"
  FROM "public"."nk" AS "t"
) AS "r"
GROUP BY 1, 2, 3
WITH NO DATA;

ALTER TABLE "public"."st" ADD PRIMARY KEY ("__pgt_row_id", "__pgt_copy");

-- refresh
WITH "__pgt_prev" AS (
  SELECT ($1)::pg_snapshot AS "frontier"
),
"__pgt_1_scan_nk" AS (
  SELECT "c"."a",
         "c"."b",
         "c"."a" AS "__pgt_id0",
         "c"."b" AS "__pgt_id1",
         "c"."__pgt_weight"::bigint AS "__pgt_w"
  FROM (
    SELECT * FROM "pgtrickle_changes"."changes_16386" AS "b"
    WHERE "b"."__pgt_xid" >= pg_snapshot_xmin((SELECT "frontier" FROM "__pgt_prev"))
      AND NOT pg_visible_in_snapshot("b"."__pgt_xid", (SELECT "frontier" FROM "__pgt_prev"))
  ) AS "c"
),
"__pgt_2_net" AS (
  SELECT "r"."a" AS "a",
         "r"."b" AS "b",
         ROW("r"."__pgt_id0", "r"."__pgt_id1", "r"."a", "r"."b")::text AS "__pgt_row_id",
         (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) AS "__pgt_w"
  FROM "__pgt_1_scan_nk" AS "r"
  GROUP BY 1, 2, 3
  HAVING (count(*) FILTER (WHERE "r"."__pgt_w" > 0) - count(*) FILTER (WHERE "r"."__pgt_w" < 0)) <> 0
)
MERGE INTO "public"."st" AS "t"
USING (
  SELECT "n"."a",
         "n"."b",
         "n"."__pgt_row_id",
         "g"."__pgt_copy",
         "n"."__pgt_w"::bigint AS "__pgt_w"
  FROM "__pgt_2_net" AS "n"
  CROSS JOIN LATERAL (SELECT count(*) AS "k" FROM "public"."st" AS "e" WHERE "e"."__pgt_row_id" = "n"."__pgt_row_id") AS "e"
  CROSS JOIN LATERAL generate_series(CASE WHEN "n"."__pgt_w"::bigint > 0 THEN "e"."k" + 1 ELSE "e"."k" + "n"."__pgt_w"::bigint + 1 END,
         CASE WHEN "n"."__pgt_w"::bigint > 0 THEN "e"."k" + "n"."__pgt_w"::bigint ELSE "e"."k" END) AS "g"("__pgt_copy")
) AS "s"
ON "t"."__pgt_row_id" = "s"."__pgt_row_id" AND "t"."__pgt_copy" = "s"."__pgt_copy"
WHEN MATCHED AND "s"."__pgt_w" < 0 THEN
  DELETE
WHEN NOT MATCHED AND "s"."__pgt_w" > 0 THEN
  INSERT ("a", "b", "__pgt_row_id", "__pgt_copy")
  VALUES ("s"."a", "s"."b", "s"."__pgt_row_id", "s"."__pgt_copy");
