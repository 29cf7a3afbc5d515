/**
 * Every score and weight the resolver uses, in one place. A choice's score is how sure the
 * planner is that a word means that table or column (about 0..1, from the linker or from the
 * guesses below); a combination's score is the sum of its choices' scores minus its costs.
 * Change one only with the spider-dev11 outcomes compared before and after.
 */
export const SCORES = {
  // ---- columns found by what they mean (conceptChoices, lineAmountChoices, temporalChoices) ----
  /** A numeric "age" column for "oldest"/"youngest": an age in years. */
  ageInYears: 0.8,
  /** A column whose name matches a concept's first stem ("revenue" -> total). */
  conceptBest: 0.75,
  /** Lost per place further down the concept's stem list. */
  conceptRankStep: 0.04,
  /** Any date column for "newest"/"latest" when none is named for it. */
  anyDateForRecency: 0.45,
  /** A birth date for "newest": possible, rarely meant. */
  birthDateForRecency: 0.2,
  /** A table's price × quantity: the amount of its lines. */
  lineAmount: 0.8,
  /** A date column for "in 2023" or "per month" when the question names none. */
  anyDate: 0.55,
  /** A birth date for "in 2023" or "per month". */
  birthDate: 0.3,
  /** Lost per date column before it in its table: the first date is the row's main date. */
  laterDateStep: 0.02,
  /** A numeric column named for years, when a question names a year but no date column. */
  yearColumn: 0.5,
  /** Lost by a maker-like column ("composer") against a maker table's name column. */
  creatorColumnPenalty: 0.05,
  /** Kept by a revenue-like column when the line amount (price × quantity) could be meant. */
  revenueConceptFactor: 0.9,
  /** Kept by a date column for "oldest" rows that have no birth date ("oldest invoices"). */
  recencyForAgeFactor: 0.6,

  // ---- the subject when no table is named (Resolver.subjectChoices) ----
  /** The table of a value the question names. */
  subjectFromValue: 0.5,
  /** Kept of a named column's score by its table as the subject. */
  subjectFromFieldFactor: 0.6,
  /** Added to a column of the table named next to "which countries do customers come from". */
  distinctQualifierBonus: 0.3,

  // ---- a value not among the samples, or a name after "by" (values and guessed values) ----
  /** A maker's name column for a sampled value after "by" that names no maker ("albums by Queen"). */
  creatorForValue: 0.75,
  /** The name column of the table the question says the value belongs to. */
  guessedOwnerName: 0.85,
  /** A maker's name column for an unsampled value after "by". */
  guessedCreator: 0.7,
  /** A city column for an unsampled value after "from", "in", "at", "near". */
  guessedCity: 0.6,
  /** Another place column (country, state...) for an unsampled value after "from", "in"... */
  guessedPlace: 0.55,
  /** Any table's name column for an unsampled value. */
  guessedAnyName: 0.45,
  /** Lost by the subject's own name column after "by", "of", "with"...: the value names another row. */
  guessedSubjectPenalty: 0.3,

  // ---- other conditions ----
  /** The subject's name column for "containing 'love'" with no column named. */
  textInSubjectName: 0.6,
  /** Any table's name column for "containing 'love'". */
  textInAnyName: 0.4,
  /** A yes/no column whose whole name is the word used ("explicit tracks"). */
  booleanByName: 0.8,

  // ---- choosing a combination (addSlot, choose) ----
  /** A slot keeps the choices within this much of its best. */
  slotWindow: 0.5,
  /** Cost of each join a reading needs. */
  joinCost: 0.25,
  /** Once joins to the settled tables are counted, a slot keeps the choices within this much of its best... */
  nearWindow: 0.4,
  /** ...and at most this many of them. */
  nearChoices: 4,
  /** Combinations tried at most; wider slots are narrowed to 3, then 2, then 1 choice until they fit. */
  maxCombinations: 256,
  /** Choices per slot tried first when the combinations do not fit. */
  narrowFrom: 3,
  /** Cost of a join found by column names rather than a declared foreign key. */
  inferredJoinCost: 0.1,
  /** Cost of a sum or average over rows a join repeats: it would be wrong, so it practically never wins. */
  repeatedSumCost: 5,
  /** Cost of a reading that repeats the rows being listed or counted. */
  repeatedRootCost: 0.3,
  /** Below this the best reading adds some rows up more than once: decline. */
  lowestAcceptable: -2,
  /** Two readings this close score the same (sums of the same weights in another order): the planner asks which was meant. */
  tieMargin: 1e-9,
} as const;
