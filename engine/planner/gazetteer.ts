import { normalise } from './text';

/**
 * Place names the planner recognises without sample values: metadata holds
 * only a column's 20 most frequent values, so "from Spain" must still find a
 * country column. Each entry lists the spellings a database may store.
 */
const COUNTRY_NAMES =
  'Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|' +
  'Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|' +
  'Burundi|Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|' +
  'Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|Egypt|El Salvador|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|' +
  'France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guyana|Haiti|Honduras|Hong Kong|Hungary|Iceland|' +
  'India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|' +
  'Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|' +
  'Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|New Zealand|' +
  'Nicaragua|Niger|Nigeria|North Macedonia|Norway|Oman|Pakistan|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|' +
  'Portugal|Puerto Rico|Qatar|Romania|Russia|Rwanda|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|' +
  'Slovenia|Somalia|South Africa|South Korea|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|' +
  'Tanzania|Thailand|Togo|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Uganda|Ukraine|United Arab Emirates|United Kingdom|' +
  'United States|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe';

const COUNTRY_ALIASES: Array<[string, string[]]> = [
  ['United States', ['USA', 'United States', 'US', 'United States of America', 'U.S.A.']],
  ['USA', ['USA', 'United States', 'US', 'United States of America']],
  ['US', ['USA', 'United States', 'US', 'United States of America']],
  ['America', ['USA', 'United States', 'US', 'United States of America']],
  ['United States of America', ['USA', 'United States', 'US', 'United States of America']],
  ['United Kingdom', ['United Kingdom', 'UK', 'Great Britain', 'U.K.']],
  ['UK', ['United Kingdom', 'UK', 'Great Britain']],
  ['Great Britain', ['United Kingdom', 'UK', 'Great Britain']],
  ['Britain', ['United Kingdom', 'UK', 'Great Britain']],
  ['Czech Republic', ['Czech Republic', 'Czechia']],
  ['Czechia', ['Czech Republic', 'Czechia']],
  ['Holland', ['Netherlands', 'The Netherlands', 'Holland']],
  ['Netherlands', ['Netherlands', 'The Netherlands', 'Holland']],
  ['Korea', ['South Korea', 'Korea', 'Republic of Korea']],
  ['Russia', ['Russia', 'Russian Federation']],
  ['UAE', ['United Arab Emirates', 'UAE']],
];

const US_STATES: Array<[string, string]> = [
  ['Alabama', 'AL'], ['Alaska', 'AK'], ['Arizona', 'AZ'], ['Arkansas', 'AR'], ['California', 'CA'], ['Colorado', 'CO'],
  ['Connecticut', 'CT'], ['Delaware', 'DE'], ['Florida', 'FL'], ['Georgia', 'GA'], ['Hawaii', 'HI'], ['Idaho', 'ID'],
  ['Illinois', 'IL'], ['Indiana', 'IN'], ['Iowa', 'IA'], ['Kansas', 'KS'], ['Kentucky', 'KY'], ['Louisiana', 'LA'],
  ['Maine', 'ME'], ['Maryland', 'MD'], ['Massachusetts', 'MA'], ['Michigan', 'MI'], ['Minnesota', 'MN'], ['Mississippi', 'MS'],
  ['Missouri', 'MO'], ['Montana', 'MT'], ['Nebraska', 'NE'], ['Nevada', 'NV'], ['New Hampshire', 'NH'], ['New Jersey', 'NJ'],
  ['New Mexico', 'NM'], ['New York', 'NY'], ['North Carolina', 'NC'], ['North Dakota', 'ND'], ['Ohio', 'OH'], ['Oklahoma', 'OK'],
  ['Oregon', 'OR'], ['Pennsylvania', 'PA'], ['Rhode Island', 'RI'], ['South Carolina', 'SC'], ['South Dakota', 'SD'],
  ['Tennessee', 'TN'], ['Texas', 'TX'], ['Utah', 'UT'], ['Vermont', 'VT'], ['Virginia', 'VA'], ['Washington', 'WA'],
  ['West Virginia', 'WV'], ['Wisconsin', 'WI'], ['Wyoming', 'WY'], ['District of Columbia', 'DC'],
];

export interface Place {
  kind: 'country' | 'state';
  /** Spellings a column may hold, the usual one first. */
  spellings: string[];
}

const PLACES = new Map<string, Place[]>();
const add = (name: string, place: Place) => {
  const key = normalise(name);
  PLACES.set(key, [...(PLACES.get(key) ?? []), place]);
};
for (const name of COUNTRY_NAMES.split('|')) if (!COUNTRY_ALIASES.some(([a]) => a === name)) add(name, { kind: 'country', spellings: [name] });
for (const [name, spellings] of COUNTRY_ALIASES) add(name, { kind: 'country', spellings });
// Two-letter codes only as typed in capitals ("in CA"), checked by the caller; full names always.
for (const [name, code] of US_STATES) add(name, { kind: 'state', spellings: [name, code] });
const STATE_CODES = new Map(US_STATES.map(([name, code]) => [code, { kind: 'state' as const, spellings: [code, name] }]));

/** Places named by a normalised phrase; `raw` (as typed) lets "CA" count as California but not "ca". */
export function placesNamed(phrase: string, raw: string): Place[] {
  const byName = PLACES.get(phrase) ?? [];
  const code = STATE_CODES.get(raw.trim());
  return code ? [...byName, code] : byName;
}

export const LONGEST_PLACE_WORDS = 4;
