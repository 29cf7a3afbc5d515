/**
 * Real reads a MongoDB source must accept (no false refusals), over the
 * canary database the harness loads: customers {_id, name, email, country,
 * signup, tier, prefs {newsletter, language}}, orders {_id, customer_id,
 * total, placed_at, status, tags[]}, categories {_id, parent_id, name} as a
 * small tree, events {_id, at, kind, payload {source, score}}.
 */
import { analytical } from '../attacks/types';

export const mongodbAnalytical = analytical('mongodb', [
  ['find-filter-sort', 'find', `{"collection": "orders", "operation": "find", "filter": {"status": "paid", "total": {"$gt": 50}}, "sort": {"total": -1}, "limit": 10}`],
  ['find-projection', 'find', `{"collection": "customers", "operation": "find", "filter": {"country": {"$in": ["DE", "FR"]}}, "projection": {"name": 1, "email": 1, "_id": 0}, "limit": 20}`],
  ['find-nested-field', 'find', `{"collection": "customers", "operation": "find", "filter": {"prefs.newsletter": true, "tier": {"$exists": true}}, "limit": 20}`],
  ['find-regex', 'regex', `{"collection": "customers", "operation": "find", "filter": {"email": {"$regex": "^user1[0-9]*@example\\\\.(com|org)$", "$options": "i"}}}`],
  ['find-elem-match', 'arrays', `{"collection": "orders", "operation": "find", "filter": {"tags": {"$elemMatch": {"$eq": "t1"}}}, "limit": 5}`],
  ['find-dates', 'dates', `{"collection": "orders", "operation": "find", "filter": {"placed_at": {"$gte": {"$date": "2024-03-01T00:00:00Z"}, "$lt": {"$date": "2024-06-01T00:00:00Z"}}}, "sort": {"placed_at": 1}}`],
  ['find-type-or', 'operators', `{"collection": "customers", "operation": "find", "filter": {"$or": [{"tier": "gold"}, {"country": {"$type": "string", "$eq": "JP"}}]}, "skip": 2, "limit": 10}`],
  ['count', 'count', `{"collection": "orders", "operation": "count", "filter": {"status": {"$ne": "refunded"}}}`],
  ['distinct', 'distinct', `{"collection": "customers", "operation": "distinct", "field": "country", "filter": {}}`],
  ['group-sum', '$group', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$group": {"_id": "$status", "n": {"$sum": 1}, "total": {"$sum": "$total"}, "avg": {"$avg": "$total"}}}, {"$sort": {"n": -1}}]}`],
  ['group-by-month', '$group with dates', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": "$placed_at"}}, "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]}`],
  ['lookup-same-db', '$lookup in the same database', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$match": {"status": "paid"}}, {"$lookup": {"from": "customers", "localField": "customer_id", "foreignField": "_id", "as": "customer"}}, {"$unwind": "$customer"}, {"$project": {"total": 1, "customer.name": 1}}, {"$limit": 20}]}`],
  ['lookup-pipeline', '$lookup with a pipeline', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$lookup": {"from": "orders", "let": {"cid": "$_id"}, "pipeline": [{"$match": {"$expr": {"$eq": ["$customer_id", "$$cid"]}}}, {"$count": "n"}], "as": "orders"}}, {"$limit": 10}]}`],
  ['facet', '$facet', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$facet": {"by_status": [{"$sortByCount": "$status"}], "top": [{"$sort": {"total": -1}}, {"$limit": 3}], "stats": [{"$group": {"_id": null, "max": {"$max": "$total"}, "min": {"$min": "$total"}}}]}}]}`],
  ['unwind-tags', '$unwind', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}]}`],
  ['bucket', '$bucket', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$bucket": {"groupBy": "$total", "boundaries": [0, 50, 100, 200, 1000], "default": "other", "output": {"n": {"$sum": 1}}}}]}`],
  ['project-cond-switch', 'computed fields', `{"collection": "orders", "operation": "aggregate", "pipeline": [{"$project": {"size": {"$switch": {"branches": [{"case": {"$gt": ["$total", 100]}, "then": "large"}, {"case": {"$gt": ["$total", 20]}, "then": "medium"}], "default": "small"}}, "paid": {"$cond": [{"$eq": ["$status", "paid"]}, 1, 0]}, "label": {"$concat": ["#", {"$toString": "$_id"}]}}}, {"$limit": 20}]}`],
  ['add-fields-date-math', 'date math', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$addFields": {"year": {"$year": "$signup"}, "trial_end": {"$add": ["$signup", 2592000000]}}}, {"$project": {"name": 1, "year": 1, "trial_end": 1}}, {"$limit": 10}]}`],
  ['replace-root', '$replaceRoot', `{"collection": "events", "operation": "aggregate", "pipeline": [{"$match": {"payload.score": {"$gte": 5}}}, {"$replaceRoot": {"newRoot": "$payload"}}, {"$limit": 10}]}`],
  ['graph-lookup-tree', '$graphLookup over a small tree in the same database', `{"collection": "categories", "operation": "aggregate", "pipeline": [{"$match": {"parent_id": null}}, {"$graphLookup": {"from": "categories", "startWith": "$_id", "connectFromField": "_id", "connectToField": "parent_id", "as": "descendants"}}]}`],
  ['sort-by-count', '$sortByCount', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$sortByCount": "$country"}]}`],
  ['string-ops', 'strings', `{"collection": "customers", "operation": "aggregate", "pipeline": [{"$project": {"upper": {"$toUpper": "$name"}, "domain": {"$arrayElemAt": [{"$split": ["$email", "@"]}, 1]}, "len": {"$strLenCP": "$name"}}}, {"$limit": 5}]}`],
  ['dangerous-words-as-data', 'operator-like words as plain values', `{"collection": "customers", "operation": "find", "filter": {"name": {"$nin": ["$where", "__proto__", "$out", "admin.credentials"]}}, "limit": 5}`],
]);
