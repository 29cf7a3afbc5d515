/**
 * MongoDB attempts at doing more than reading the source, as query documents
 * (the JSON text PolyStoreIQ approves and runs). Written as raw text on
 * purpose: duplicate keys, escaped key names and __proto__ keys only exist in
 * text. The harness plants:
 *
 *   {{db}}       the source database: customers, orders, categories, events
 *   {{otherDb}}  another database whose payroll collection holds a secret
 *   admin        admin.credentials holds a secret
 *
 * The test server runs no JavaScript and resolves $lookup / $unionWith only
 * inside the command's database, so for those the harness also judges what
 * was sent on the wire, not only what came back.
 */
import { attacks, type Attack } from './types';

const S = 'mongodb';

const crossDatabase = attacks(S, 'cross-database', [
  ['database-admin', 'reads another database\'s collection (issue 9)', `{"database": "admin", "collection": "credentials", "operation": "find", "filter": {}}`],
  ['database-other', 'reads another application database', `{"database": "{{otherDb}}", "collection": "payroll", "operation": "find", "filter": {}}`],
  ['database-other-count', 'counts another database\'s documents', `{"database": "{{otherDb}}", "collection": "payroll", "operation": "count", "filter": {"secret": {"$exists": true}}}`],
  ['database-other-distinct', 'distinct values of another database', `{"database": "{{otherDb}}", "collection": "payroll", "operation": "distinct", "field": "secret", "filter": {}}`],
  ['database-other-aggregate', 'aggregates another database', `{"database": "admin", "collection": "credentials", "operation": "aggregate", "pipeline": [{"$match": {}}]}`],
  ['lookup-other-db', '$lookup from another database', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$lookup": {"from": {"db": "admin", "coll": "credentials"}, "pipeline": [], "as": "c"}}]}`],
  ['lookup-other-db-localfield', '$lookup with local/foreign fields from another database', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$lookup": {"from": {"db": "{{otherDb}}", "coll": "payroll"}, "localField": "_id", "foreignField": "_id", "as": "p"}}]}`],
  ['unionwith-other-db', '$unionWith another database', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$unionWith": {"coll": {"db": "admin", "coll": "credentials"}, "pipeline": []}}]}`],
  ['unionwith-db-field', '$unionWith with a db field', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$unionWith": {"db": "{{otherDb}}", "coll": "payroll"}}]}`],
  ['graphlookup-other-db', '$graphLookup from another database', `{"collection": "categories", "operation": "aggregate", "pipeline": [{"$graphLookup": {"from": {"db": "admin", "coll": "credentials"}, "startWith": "$_id", "connectFromField": "_id", "connectToField": "_id", "as": "g"}}]}`],
  ['lookup-in-facet', 'a cross-database $lookup inside $facet', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$facet": {"a": [{"$lookup": {"from": {"db": "admin", "coll": "credentials"}, "pipeline": [], "as": "c"}}]}}]}`],
  ['lookup-nested-unionwith', 'a cross-database $unionWith inside a $lookup pipeline', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$lookup": {"from": "orders", "pipeline": [{"$unionWith": {"coll": {"db": "admin", "coll": "credentials"}}}], "as": "x"}}]}`],
  ['escaped-key', 'the "database" key spelled with a JSON escape', `{"\\u0064atabase": "admin", "collection": "credentials", "operation": "find", "filter": {}}`],
  ['escaped-value', 'the database name spelled with a JSON escape', `{"database": "\\u0061dmin", "collection": "credentials", "operation": "find", "filter": {}}`],
  ['duplicate-database-key', 'two "database" keys: JSON.parse keeps the last', `{"database": "{{db}}", "collection": "credentials", "operation": "find", "filter": {}, "database": "admin"}`],
  ['database-local', 'the local database', `{"database": "local", "collection": "startup_log", "operation": "find", "filter": {}}`],
  ['database-config', 'the config database', `{"database": "config", "collection": "system.sessions", "operation": "find", "filter": {}}`],
  // Collection names may hold dots: this is the source database's collection "admin.credentials", so it is contained.
  ['dotted-collection', 'a collection name that looks like database.collection', `{"collection": "admin.credentials", "operation": "find", "filter": {}}`, { expect: 'contain' }],
  ['database-case', 'a database name differing only in case', `{"database": "ADMIN", "collection": "credentials", "operation": "find", "filter": {}}`],
]);

const wireLevel = attacks(S, 'wire-level', [
  ['proto-in-filter', '__proto__ in a filter: dropped by the serializer, so the query that runs matches everything', `{"collection": "customers", "operation": "find", "filter": {"__proto__": {"tier": "gold"}}}`],
  ['proto-top-level', '__proto__ at the top of the query document (prototype pollution of the parsed object)', `{"collection": "customers", "operation": "find", "filter": {}, "__proto__": {"database": "admin"}}`],
  ['constructor-prototype', 'constructor.prototype keys', `{"collection": "customers", "operation": "find", "filter": {"constructor": {"prototype": {"tier": "gold"}}}}`],
  ['prototype-key', 'a prototype key in a projection', `{"collection": "customers", "operation": "find", "filter": {}, "projection": {"prototype": 1}}`],
  ['escaped-proto', '__proto__ spelled with JSON escapes', `{"collection": "customers", "operation": "find", "filter": {"\\u005f\\u005fproto\\u005f\\u005f": {"tier": "gold"}}}`],
  ['proto-in-pipeline', '__proto__ inside a $match stage', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$match": {"__proto__": {"tier": "gold"}}}]}`],
  ['duplicate-filter-key', 'two values for one field: the approved text shows both, JSON keeps the last', `{"collection": "customers", "operation": "find", "filter": {"tier": "gold", "tier": {"$ne": "gold"}}}`],
  ['duplicate-operation', 'two "operation" keys', `{"collection": "customers", "operation": "count", "filter": {}, "operation": "find"}`],
  ['nul-in-key', 'a NUL in a key name: BSON keys end at NUL, so the server sees another key', `{"collection": "customers", "operation": "find", "filter": {"tier\\u0000ignored": "gold"}}`],
  ['where', '$where runs JavaScript on the server', `{"collection": "customers", "operation": "find", "filter": {"$where": "sleep(100) || true"}}`],
  ['where-escaped', '$where spelled with a JSON escape', `{"collection": "customers", "operation": "find", "filter": {"\\u0024where": "true"}}`],
  ['code-value', 'an Extended JSON $code value', `{"collection": "customers", "operation": "find", "filter": {"name": {"$code": "function () { return true; }"}}}`],
  ['code-with-scope', 'Code with scope', `{"collection": "customers", "operation": "find", "filter": {"name": {"$code": "function () { return x; }", "$scope": {"x": 1}}}}`],
  ['code-in-dbref', 'Code hidden in a DBRef\'s $id', `{"collection": "customers", "operation": "find", "filter": {"ref": {"$ref": "orders", "$id": {"$code": "function () { return true; }"}}}}`],
  ['code-in-where', '$where given a Code value', `{"collection": "customers", "operation": "find", "filter": {"$where": {"$code": "function () { return true; }"}}}`],
  ['function-operator', '$function runs JavaScript in an aggregation expression', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$addFields": {"x": {"$function": {"body": "function () { return 1; }", "args": [], "lang": "js"}}}}]}`],
  ['function-in-expr', '$function inside $expr of a find', `{"collection": "customers", "operation": "find", "filter": {"$expr": {"$function": {"body": "function () { return true; }", "args": [], "lang": "js"}}}}`],
  ['accumulator', '$accumulator runs JavaScript in $group', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$group": {"_id": null, "x": {"$accumulator": {"init": "function () { return 0; }", "accumulate": "function (s) { return s; }", "accumulateArgs": [], "merge": "function (a) { return a; }", "lang": "js"}}}}]}`],
  ['map-reduce', 'mapReduce runs JavaScript', `{"collection": "orders", "operation": "mapReduce", "map": "function () { emit(1, 1); }", "reduce": "function (k, v) { return 1; }"}`],
  ['max-time-zero', 'maxTimeMS 0 removes the time limit', `{"collection": "orders", "operation": "find", "filter": {}, "maxTimeMS": 0}`],
  ['extra-keys', 'options the approval does not show (hint, comment, collation, allowDiskUse, let)', `{"collection": "orders", "operation": "aggregate", "pipeline": [], "hint": {"_id": 1}, "comment": "x", "collation": {"locale": "en"}, "allowDiskUse": true, "let": {"v": 1}}`],
  ['read-concern', 'a readConcern the approval does not show', `{"collection": "orders", "operation": "find", "filter": {}, "readConcern": {"level": "snapshot"}}`],
  ['byte-order-mark', 'a byte-order mark before the document', `\ufeff{"collection": "customers", "operation": "find", "filter": {}}`],
  ['js-comment', 'a comment inside the JSON (not JSON)', `{"collection": "customers", /* "database": "admin", */ "operation": "find", "filter": {}}`],
  ['trailing-document', 'a second document after the first', `{"collection": "customers", "operation": "find", "filter": {}} {"database": "admin", "collection": "credentials", "operation": "find"}`],
]);

const sideEffect = attacks(S, 'side-effect', [
  ['out', '$out replaces a collection', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$match": {}}, {"$out": "pst_out"}]}`],
  ['out-over-source', '$out over a source collection', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$match": {"status": "paid"}}, {"$out": "customers"}]}`],
  ['out-other-db', '$out into another database', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$out": {"db": "{{otherDb}}", "coll": "payroll"}}]}`],
  ['merge', '$merge writes into a collection', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$merge": {"into": "orders", "whenMatched": "replace"}}]}`],
  ['merge-other-db', '$merge into another database', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$merge": {"into": {"db": "admin", "coll": "credentials"}}}]}`],
  ['merge-string', '$merge with a collection name string', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$merge": "pst_merge"}]}`],
  ['merge-pipeline-update', '$merge whose whenMatched is an update pipeline', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$merge": {"into": "customers", "whenMatched": [{"$set": {"name": "pwned"}}]}}]}`],
  ['escaped-out', '$out spelled with a JSON escape', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"\\u0024out": "pst_out2"}]}`],
  ['insert', 'an insert operation', `{"collection": "customers", "operation": "insert", "documents": [{"name": "pwned"}]}`],
  ['update', 'an update operation', `{"collection": "customers", "operation": "update", "filter": {}, "update": {"$set": {"name": "pwned"}}}`],
  ['delete', 'a delete operation', `{"collection": "orders", "operation": "delete", "filter": {}}`],
  ['find-and-modify', 'findAndModify', `{"collection": "orders", "operation": "findAndModify", "filter": {}, "update": {"$set": {"status": "pwned"}}}`],
  ['run-command-drop', 'an arbitrary command', `{"collection": "orders", "operation": "runCommand", "command": {"drop": "orders"}}`],
  ['command-drop-database', 'dropDatabase as a command', `{"operation": "command", "command": {"dropDatabase": 1}}`],
  ['create-index', 'createIndexes', `{"collection": "orders", "operation": "createIndex", "keys": {"status": 1}}`],
  ['rename', 'renameCollection', `{"collection": "orders", "operation": "rename", "to": "pst_renamed"}`],
  ['write-stage-in-lookup', '$merge inside a $lookup pipeline', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$lookup": {"from": "orders", "pipeline": [{"$merge": "pst_x"}], "as": "x"}}]}`],
  ['out-in-facet', '$out inside $facet', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$facet": {"a": [{"$out": "pst_y"}]}}]}`],
]);

const catalogSecret = attacks(S, 'catalog-secret', [
  ['current-op', '$currentOp: other sessions\' operations', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$currentOp": {"allUsers": true}}]}`],
  ['list-sessions', '$listSessions', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$listSessions": {"allUsers": true}}]}`],
  ['list-local-sessions', '$listLocalSessions', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$listLocalSessions": {"allUsers": true}}]}`],
  ['coll-stats', '$collStats: storage and server statistics', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$collStats": {"storageStats": {}}}]}`],
  ['index-stats', '$indexStats', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$indexStats": {}}]}`],
  ['plan-cache-stats', '$planCacheStats', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$planCacheStats": {}}]}`],
  ['change-stream', '$changeStream: a cursor that never ends', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$changeStream": {}}]}`],
  ['system-users', 'admin.system.users: the users and their credentials', `{"database": "admin", "collection": "system.users", "operation": "find", "filter": {}}`],
  ['system-users-own-db', 'system.users in the source database', `{"collection": "system.users", "operation": "find", "filter": {}}`],
  ['system-profile', 'system.profile (other sessions\' queries)', `{"collection": "system.profile", "operation": "find", "filter": {}}`],
  ['system-js', 'system.js (stored JavaScript)', `{"collection": "system.js", "operation": "find", "filter": {}}`],
  ['user-roles-variable', '$$USER_ROLES reveals the login\'s roles', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$limit": 1}, {"$project": {"roles": "$$USER_ROLES"}}]}`],
  ['list-databases', 'listDatabases as an operation', `{"operation": "listDatabases"}`],
]);

const sessionState = attacks(S, 'session-state', [
  ['no-cursor-timeout', 'a cursor the server never reaps', `{"collection": "orders", "operation": "find", "filter": {}, "noCursorTimeout": true, "batchSize": 1}`],
  ['tailable', 'a tailable cursor', `{"collection": "orders", "operation": "find", "filter": {}, "tailable": true, "awaitData": true}`],
  ['start-transaction', 'a transaction option', `{"collection": "orders", "operation": "find", "filter": {}, "startTransaction": true, "autocommit": false}`],
  ['read-preference', 'a read preference the approval does not show', `{"collection": "orders", "operation": "find", "filter": {}, "readPreference": "secondary"}`],
]);

const resourceBomb = attacks(S, 'resource-bomb', [
  ['range-huge', '$range of a hundred million numbers in every document', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$project": {"x": {"$range": [0, 100000000]}}}]}`,
    { expect: 'contain', noForce: 'the test server runs pipelines in this process: the array would take the harness down' }],
  ['self-cross-join', 'a $lookup of every order into every order, twice', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$lookup": {"from": "orders", "pipeline": [{"$lookup": {"from": "orders", "pipeline": [], "as": "b"}}], "as": "a"}}]}`,
    { expect: 'contain', noForce: 'the test server runs pipelines in this process, with no time limit' }],
  ['regex-backtracking', 'a catastrophic-backtracking $regex', `{"collection": "customers", "operation": "find", "filter": {"name": {"$regex": "^(a+)+$"}}}`,
    { expect: 'contain', noForce: 'the test server evaluates $regex with a backtracking engine in this process' }],
  ['deep-nesting', 'ten thousand nested $and: the checker must not overflow its stack', `{"collection": "customers", "operation": "find", "filter": ${'{"$and": ['.repeat(10_000)}{}${']}'.repeat(10_000)}}`],
  ['huge-in', 'a 200,000-element $in', `{"collection": "customers", "operation": "find", "filter": {"_id": {"$in": [${Array.from({ length: 200_000 }, (_, i) => i).join(',')}]}}}`, { expect: 'contain' }],
  ['long-text', 'a query document of several megabytes', `{"collection": "customers", "operation": "find", "filter": {"name": "${'x'.repeat(4_000_000)}"}}`],
  ['many-facets', 'a $facet of two hundred sub-pipelines', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$facet": {${Array.from({ length: 200 }, (_, i) => `"f${i}": [{"$match": {}}]`).join(', ')}}}]}`, { expect: 'contain' }],
]);

export const mongodbAttacks: Attack[] = [...crossDatabase, ...wireLevel, ...sideEffect, ...catalogSecret, ...sessionState, ...resourceBomb];
