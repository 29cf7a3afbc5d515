/**
 * The allow-lists of the MongoDB guardrail: aggregation stages, and the
 * query, expression, accumulator, window and projection operators known to
 * only read and compute. Anything $-prefixed that is not here is refused,
 * so an operator a future server adds is refused until someone reviews it.
 *
 * Reviewed against the MongoDB 7.0 / 8.0 operator reference. Deliberately
 * absent: $where, $function and $accumulator (server-side JavaScript), $out
 * and $merge (writes), stages that read server state rather than the
 * source's documents ($currentOp, $listSessions, $collStats, $indexStats,
 * $planCacheStats, $changeStream, $queryStats, …) and Atlas Search stages,
 * which reach a separate search process ($search, $searchMeta, $vectorSearch).
 */

/**
 * Stages that only read and reshape the source's documents. $lookup,
 * $graphLookup and $unionWith read other collections: the guardrail checks
 * that those are in the source's database. $documents produces literal
 * documents (how a $unionWith sub-pipeline adds constant rows).
 */
export const READ_STAGES: ReadonlySet<string> = new Set([
  '$addFields',
  '$bucket',
  '$bucketAuto',
  '$count',
  '$densify',
  '$documents',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$limit',
  '$lookup',
  '$match',
  '$project',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$set',
  '$setWindowFields',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
]);

const QUERY_OPERATORS = [
  // comparison, logical, element, evaluation
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin',
  '$and', '$or', '$nor', '$not',
  '$exists', '$type',
  '$expr', '$jsonSchema', '$mod', '$regex', '$options', '$comment', '$sampleRate',
  // text search and its options
  '$text', '$search', '$language', '$caseSensitive', '$diacriticSensitive',
  // geospatial and their shapes
  '$geoIntersects', '$geoWithin', '$near', '$nearSphere', '$geometry', '$maxDistance', '$minDistance',
  '$box', '$center', '$centerSphere', '$polygon', '$uniqueDocs',
  // arrays and bits
  '$all', '$elemMatch', '$size',
  '$bitsAllClear', '$bitsAllSet', '$bitsAnyClear', '$bitsAnySet',
  // projection
  '$slice', '$meta',
  // sort / natural order
  '$natural',
  // DBRef fields, compared as data
  '$ref', '$id', '$db',
];

const EXPRESSION_OPERATORS = [
  // arithmetic
  '$abs', '$add', '$ceil', '$divide', '$exp', '$floor', '$ln', '$log', '$log10', '$multiply', '$pow', '$round', '$sqrt', '$subtract', '$trunc',
  // arrays
  '$arrayElemAt', '$arrayToObject', '$concatArrays', '$filter', '$first', '$firstN', '$indexOfArray', '$isArray', '$last', '$lastN', '$map',
  '$maxN', '$minN', '$objectToArray', '$range', '$reduce', '$reverseArray', '$sortArray', '$zip',
  // bitwise
  '$bitAnd', '$bitNot', '$bitOr', '$bitXor',
  // comparison
  '$cmp',
  // conditional
  '$cond', '$ifNull', '$switch',
  // data size
  '$binarySize', '$bsonSize',
  // dates
  '$dateAdd', '$dateDiff', '$dateFromParts', '$dateFromString', '$dateSubtract', '$dateToParts', '$dateToString', '$dateTrunc',
  '$dayOfMonth', '$dayOfWeek', '$dayOfYear', '$hour', '$isoDayOfWeek', '$isoWeek', '$isoWeekYear', '$millisecond', '$minute',
  '$month', '$second', '$toDate', '$week', '$year',
  // literals, variables, fields
  '$literal', '$let', '$getField', '$setField', '$unsetField', '$mergeObjects', '$rand', '$toHashedIndexKey',
  // sets
  '$allElementsTrue', '$anyElementTrue', '$setDifference', '$setEquals', '$setIntersection', '$setIsSubset', '$setUnion',
  // strings
  '$concat', '$indexOfBytes', '$indexOfCP', '$ltrim', '$regexFind', '$regexFindAll', '$regexMatch', '$replaceOne', '$replaceAll',
  '$rtrim', '$split', '$strLenBytes', '$strLenCP', '$strcasecmp', '$substr', '$substrBytes', '$substrCP', '$toLower', '$toUpper', '$trim',
  // timestamps
  '$tsIncrement', '$tsSecond',
  // trigonometry
  '$sin', '$cos', '$tan', '$asin', '$acos', '$atan', '$atan2', '$asinh', '$acosh', '$atanh', '$sinh', '$cosh', '$tanh',
  '$degreesToRadians', '$radiansToDegrees',
  // types
  '$convert', '$isNumber', '$toBool', '$toDecimal', '$toDouble', '$toInt', '$toLong', '$toObjectId', '$toString', '$toUUID',
];

const ACCUMULATORS_AND_WINDOW_OPERATORS = [
  '$addToSet', '$avg', '$bottom', '$bottomN', '$count', '$max', '$median', '$min', '$percentile', '$push',
  '$stdDevPop', '$stdDevSamp', '$sum', '$top', '$topN',
  '$covariancePop', '$covarianceSamp', '$denseRank', '$derivative', '$documentNumber', '$expMovingAvg', '$integral',
  '$linearFill', '$locf', '$rank', '$shift',
];

/** Every $-prefixed key a query may contain outside stage names. */
/**
 * The server's own `$$` variables a query may read: the documents being processed, the clock, and the
 * markers $redact and $project use. Not $$USER_ROLES (the login's roles) nor $$SEARCH_META.
 */
export const READ_SYSTEM_VARIABLES: ReadonlySet<string> = new Set(['ROOT', 'CURRENT', 'NOW', 'CLUSTER_TIME', 'REMOVE', 'DESCEND', 'PRUNE', 'KEEP']);

export const READ_OPERATORS: ReadonlySet<string> = new Set([...QUERY_OPERATORS, ...EXPRESSION_OPERATORS, ...ACCUMULATORS_AND_WINDOW_OPERATORS]);

/** Stages that write: named in their own words wherever they appear. */
export const WRITE_STAGES: Readonly<Record<string, string>> = {
  $out: '$out is not allowed: it writes the results into a collection, replacing what is there',
  $merge: '$merge is not allowed: it writes the results into a collection',
};

/** Operators that run JavaScript on the server. */
export const JAVASCRIPT_OPERATORS: Readonly<Record<string, string>> = {
  $where: '$where is not allowed: it runs JavaScript on the server',
  $function: '$function is not allowed: it runs JavaScript on the server',
  $accumulator: '$accumulator is not allowed: it runs JavaScript on the server',
};

/** Why some well-known stages outside READ_STAGES are refused, for clearer messages. */
export const REFUSED_STAGE_REASONS: Readonly<Record<string, string>> = {
  $currentOp: 'it lists the operations running on the server, including other users\u2019 queries',
  $listSessions: 'it lists other users\u2019 sessions',
  $listLocalSessions: 'it lists other users\u2019 sessions',
  $collStats: 'it reads server statistics, not data',
  $indexStats: 'it reads server statistics, not data',
  $planCacheStats: 'it reads the server\u2019s query plan cache, not data',
  $queryStats: 'it reads other users\u2019 query statistics',
  $changeStream: 'it opens a long-lived change stream instead of answering once',
  $changeStreamSplitLargeEvent: 'it belongs to change streams, which are not queries',
  $listSearchIndexes: 'it reads index definitions, not data',
  $listSampledQueries: 'it lists other users\u2019 queries',
  $shardedDataDistribution: 'it reads cluster internals, not data',
  $querySettings: 'it reads server settings, not data',
  $listClusterCatalog: 'it reads cluster internals, not data',
  $search: 'it runs in a separate search process, outside the read-only checks',
  $searchMeta: 'it runs in a separate search process, outside the read-only checks',
  $vectorSearch: 'it runs in a separate search process, outside the read-only checks',
};

/** Option names each stage that reads another collection accepts; anything else is refused. */
export const LOOKUP_OPTIONS: ReadonlySet<string> = new Set(['from', 'localField', 'foreignField', 'let', 'pipeline', 'as']);
export const GRAPH_LOOKUP_OPTIONS: ReadonlySet<string> = new Set(['from', 'startWith', 'connectFromField', 'connectToField', 'as', 'maxDepth', 'depthField', 'restrictSearchWithMatch']);
export const UNION_WITH_OPTIONS: ReadonlySet<string> = new Set(['coll', 'pipeline']);

/**
 * MongoDB's own databases: `admin` holds users and roles, `local` the
 * replication log of every database, `config` sessions and cluster metadata.
 * None is a data source.
 */
export const INTERNAL_DATABASES: ReadonlySet<string> = new Set(['admin', 'local', 'config']);
