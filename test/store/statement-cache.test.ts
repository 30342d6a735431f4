import SqliteDatabase from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { withStatementCache } from "../../src/store/statement-cache.js";

describe("prepared statements reused by SQL text (SQLite)", () => {
  it("prepares a query once, binds each call's parameters, and never hands out a statement that is mid-iteration", () => {
    const database = new SqliteDatabase(":memory:");
    const cached = withStatementCache(database);
    cached.prepare("create table t (id integer primary key, name text)").run([]);
    const insert = cached.prepare("insert into t (name) values (?)");
    expect(cached.prepare("insert into t (name) values (?)")).toBe(insert);
    insert.run(["a"]);
    cached.prepare("insert into t (name) values (?)").run(["b"]);
    const select = "select name from t order by id";
    expect(cached.prepare(select).all([])).toEqual([{ name: "a" }, { name: "b" }]);
    const iterating = cached.prepare(select).iterate([]);
    iterating.next();
    // The cached statement is busy: the same SQL gets a fresh statement meanwhile.
    const during = cached.prepare(select);
    expect(during.all([])).toEqual([{ name: "a" }, { name: "b" }]);
    iterating.return?.();
    // A schema change does not break a statement prepared before it.
    cached.prepare("alter table t add column extra text").run([]);
    expect(cached.prepare(select).all([])).toEqual([{ name: "a" }, { name: "b" }]);
    cached.close();
  });
});
