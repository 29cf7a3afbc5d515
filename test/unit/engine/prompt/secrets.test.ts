import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../../../engine/contract/index';
import { ProviderConfig } from '../../../../engine/llm/config';
import { anthropicWireFormat } from '../../../../engine/llm/anthropic';
import { openAiWireFormat } from '../../../../engine/llm/openai';
import { redactor } from '../../../../engine/log/redact';
import { buildPrompt, type ConversationTurn, scrubText } from '../../../../engine/prompt/index';
import { chinookPostgres, col, mflixMongo, sakilaMysql, table } from './fixtures';

/** Secrets as they turn up in real metadata, settings and chats. Each must never reach a prompt. */
const SECRETS = {
  sourcePassword: 'Tr0ub4dor&3-registered',
  dsnPassword: 'dsnPassw0rd!',
  urlPassword: 'urlS3cretPw',
  openAiKey: 'sk-proj-Ab12Cd34Ef56Gh78Ij90KlMnOpQr',
  anthropicKey: 'sk-ant-api03-ZyXwVuTsRqPoNmLkJiHg',
  awsKey: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  githubToken: 'ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiJBZGEifQ.k3yS1gn4tur3VAlu3Qx9Zp0Lm7Wv2',
  privateKeyBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  bearer: 'b3ar3rT0k3nValue99',
  columnNameKey: 'sk-live-ColumnNamedAfterAKey1234',
  slack: 'xoxb-2048-4096-SlackBotTokenValue',
  hashSample: '$2b$12$UREFwsRUoyF0CRqGNK0LzO0HM/jLhgUCNNIJ9RJAqMUQ74crlJ1Vu',
  apiTokenSample: 'tok_live_q8W2e4R6t8Y0u2I4o6P8',
  queryParamKey: 'QpK3y9Value0',
  noteSecret: 'n0t3Pa55word',
};

function plantInMetadata(doc: MetadataDocument): MetadataDocument {
  const objects = doc.databases[0]!.schemas[0]!.objects;
  const first = objects[0]!;
  first.comment = `Loaded nightly from postgres://etl:${SECRETS.urlPassword}@warehouse.internal:5432/dw (api_key=${SECRETS.openAiKey})`;
  first.fields.push(
    col('notes', 'text', { comment: `Set Password=${SECRETS.dsnPassword}; Authorization: Bearer ${SECRETS.bearer}`, samples: [`aws ${SECRETS.awsKey} / ${SECRETS.awsSecret}`, 'ordinary note'] }),
    col(SECRETS.columnNameKey, 'text', { samples: ['x'] }),
    col('password_hash', 'text', { samples: [SECRETS.hashSample] }),
    col('api_token', 'text', { samples: [SECRETS.apiTokenSample] }),
    col('webhook', 'text', { samples: [`https://hooks.example.com/in?token=${SECRETS.queryParamKey}`, SECRETS.slack] }),
    col('session', 'text', { comment: `example: ${SECRETS.jwt}`, samples: [SECRETS.jwt] }),
    col('deploy_key', 'text', { comment: `-----BEGIN PRIVATE KEY-----\n${SECRETS.privateKeyBody}\n-----END PRIVATE KEY-----` }),
    col('owner', 'text', { samples: [SECRETS.githubToken, SECRETS.sourcePassword, 'alice'] }),
  );
  objects.push(table(`tmp_${SECRETS.anthropicKey}`, [col('id', 'integer', { pk: true })]));
  return doc;
}

const HISTORY: ConversationTurn[] = [
  {
    question: `Connect with postgres://admin:${SECRETS.urlPassword}@db.prod:5432/app and count users`,
    query: `SELECT count(*) FROM users WHERE api_key = '${SECRETS.openAiKey}'`,
    columns: ['count'],
    resultSummary: `1 row; token=${SECRETS.githubToken}`,
  },
  { question: `my key is ${SECRETS.anthropicKey}`, query: null, resultSummary: `error: password authentication failed, password=${SECRETS.sourcePassword}` },
];

const STORES = [
  ['postgres', chinookPostgres],
  ['mysql', sakilaMysql],
  ['mongodb', mflixMongo],
] as const;

test('no composed prompt, for any store or provider, contains a planted secret', () => {
  // The engine registers a source's password when it reads it from the keychain.
  redactor.register(SECRETS.sourcePassword);
  const requests: string[] = [];
  for (const [store, fixture] of STORES) {
    for (const providerHosted of [true, false]) {
      for (const allowSampleValues of [true, false]) {
        const prompt = buildPrompt({
          question: `Which customers use the key ${SECRETS.openAiKey}? My password is ${SECRETS.sourcePassword}`,
          metadata: plantInMetadata(fixture()),
          settings: { rowLimit: 100, allowSampleValues, ...({ connectionString: `mysql://root:${SECRETS.urlPassword}@h/db` } as object) },
          providerHosted,
          history: HISTORY,
          sourceName: `prod (password: ${SECRETS.dsnPassword})`,
          sourceNotes: `Use the reporting login; pwd=${SECRETS.noteSecret}. AWS: ${SECRETS.awsKey}`,
          today: '2025-03-14',
        });
        const request = { ...prompt, signal: new AbortController().signal };
        requests.push(`${store}/${providerHosted}/${allowSampleValues}`, JSON.stringify(prompt));
        // The text that would leave the machine, for both wire formats.
        const openai = openAiWireFormat(ProviderConfig.parse({ kind: 'openai', model: 'gpt-4o' }) as never);
        const anthropic = anthropicWireFormat(ProviderConfig.parse({ kind: 'anthropic', model: 'claude' }) as never);
        for (const mode of ['json_schema', 'prompt'] as const) requests.push(JSON.stringify(openai.body(request, mode)));
        requests.push(JSON.stringify(anthropic.body(request, 'tool')));
      }
    }
  }
  const all = requests.join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.not.ok(all.includes(secret), `${name} leaked into a prompt`);
    assert.not.ok(all.includes(JSON.stringify(secret).slice(1, -1)), `${name} leaked (JSON-escaped) into a prompt`);
  }
  // What is not secret still arrives, so the prompts stay useful.
  assert.match(all, /ordinary note/);
  assert.match(all, /'alice'/);
  assert.match(all, /warehouse\.internal:5432\/dw/);
  assert.match(all, /Which customers use the key \[redacted\]\?/);
});

test('scrubText masks credential shapes and leaves ordinary text and identifiers alone', () => {
  assert.is(scrubText('postgres://etl:pw123@h:5432/db'), 'postgres://etl:[redacted]@h:5432/db');
  assert.is(scrubText('Server=x;User Id=u;Password=p@ss;'), 'Server=x;User Id=u;Password=[redacted];');
  assert.is(scrubText(`token: ${SECRETS.jwt}`), 'token: [redacted]');
  assert.is(scrubText(`keys ${SECRETS.awsKey} and ${SECRETS.githubToken}.`), 'keys [redacted] and [redacted].');
  assert.is(scrubText(`-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- done`), '[redacted] done');
  assert.is(scrubText('https://x.example/cb?sig=abcdef123&mode=1'), 'https://x.example/cb?sig=[redacted]&mode=1');
  for (const plain of [
    'SELECT "InvoiceDate", total FROM invoice WHERE billing_country = \'Germany\'',
    'customerLifetimeValue2024Region',
    'sales_pipeline_monthly_snapshot_archive',
    '550e8400-e29b-41d4-a716-446655440000',
    'd41d8cd98f00b204e9800998ecf8427e',
    'The album Let There Be Rock by AC/DC, 1977',
    'https://docs.example.com/guide/reporting#dates',
  ]) {
    assert.is(scrubText(plain), plain, plain);
  }
});

test.run();
