export { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions, type MessagesRequest } from './anthropic';
export { type ChatCompletionRequest, type FakeOpenAi, type FakeOpenAiOptions, type SchemaView, startFakeOpenAi } from './openai';
export { closedPort, type RecordedRequest, type Reply, startScriptedServer } from './server';
