/**
 * src/store — history stores (ClickHouse in production, an embedded engine
 * by default) behind one interface, and batch import.
 *
 * Must not depend on actors or HTTP; SQL literals go through one escaping
 * helper. Nothing is exported yet.
 */
export {};
