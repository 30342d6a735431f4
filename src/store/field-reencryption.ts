import { sql, type Kysely } from "kysely";
import { ENCRYPTED_COLUMNS, type EncryptedTableColumn } from "./encrypted-columns.js";
import { ENVELOPE_PREFIX, type FieldCipher } from "./field-cipher.js";
import type { Database } from "./schema.js";

/** How many values of one column a reencrypt run rewrote. */
export interface ReencryptedColumn {
  readonly table: string;
  readonly column: string;
  readonly rewritten: number;
}

/** Rows read and rewritten per transaction: short transactions, so a live server's writes are not held up. */
export const DEFAULT_REENCRYPT_BATCH = 200;

/**
 * Seals again, under the active key, every encrypted value that is plain (written before encryption at rest) or
 * sealed with another key, batch by batch. Each row is rewritten only if it still holds the value read
 * (compare-and-set), so a replica writing meanwhile is never overwritten. A second run finds nothing to do.
 */
export async function reencryptColumns(db: Kysely<Database>, cipher: FieldCipher, batchSize = DEFAULT_REENCRYPT_BATCH): Promise<ReencryptedColumn[]> {
  const activeKeyId = cipher.activeKeyId;
  if (activeKeyId === undefined) throw new Error("reencrypt needs an encryption key (NUMBERGATE_ENCRYPTION_KEY, or the sandbox key file)");
  const counts: ReencryptedColumn[] = [];
  for (const column of ENCRYPTED_COLUMNS) {
    counts.push({ table: column.table, column: column.column, rewritten: await reencryptColumn(db, cipher, column, `${ENVELOPE_PREFIX}${activeKeyId}:%`, batchSize) });
  }
  return counts;
}

async function reencryptColumn(db: Kysely<Database>, cipher: FieldCipher, column: EncryptedTableColumn, activePattern: string, batchSize: number): Promise<number> {
  const table = sql.table(column.table);
  const value = sql.ref(column.column);
  const key = sql.ref(column.rowKey);
  let rewritten = 0;
  let after = "";
  for (;;) {
    // Keyset paging over the rows still to do: rewritten rows leave the selection, failed ones are passed by.
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await sql<{ row_key: string; value: string }>`
        select ${key} as row_key, ${value} as value from ${table}
        where ${value} is not null and ${value} not like ${activePattern} and ${key} > ${after}
        order by ${key} limit ${batchSize}`.execute(trx);
      let done = 0;
      for (const row of rows.rows) {
        if (!cipher.needsReseal(row.value)) continue;
        const sealed = cipher.reseal(column, row.row_key, row.value, column);
        const updated = await sql`update ${table} set ${value} = ${sealed} where ${key} = ${row.row_key} and ${value} = ${row.value}`.execute(trx);
        done += Number(updated.numAffectedRows ?? 0n);
      }
      return { done, last: rows.rows.at(-1)?.row_key, size: rows.rows.length };
    });
    rewritten += batch.done;
    if (batch.last === undefined || batch.size < batchSize) return rewritten;
    after = batch.last;
  }
}
