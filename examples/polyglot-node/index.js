// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0
//
// A small Node service that emits one GenAI agent trace (invoke_agent -> chat -> execute_tool -> chat)
// with OpenTelemetry GenAI attributes and sends it to honeyhive-bridge over OTLP/gRPC.
// The model is faked: nothing leaves the machine but the OTLP export.
//
// OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4317) says where the receiver is.
'use strict';

const { trace, context, SpanKind, SpanStatusCode } = require('@opentelemetry/api');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.SERVICE_NAME || 'polyglot-node-agent',
    'deployment.environment.name': 'dev',
  }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())],
});
provider.register();

const tracer = trace.getTracer('examples.polyglot-node', '1.0.0');
const question = process.argv[2] || 'What is the weather in Paris?';

function withSpan(name, attributes, fn) {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) => {
    try {
      const result = fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } finally {
      span.end();
    }
  });
}

function chat(messages, output, inputTokens, outputTokens) {
  return withSpan('chat gpt-4o-mini', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.temperature': 0.2,
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.finish_reasons': [output.finish_reason],
    'gen_ai.usage.input_tokens': inputTokens,
    'gen_ai.usage.output_tokens': outputTokens,
    'gen_ai.input.messages': JSON.stringify(messages),
    'gen_ai.output.messages': JSON.stringify([output]),
  }, () => output);
}

const rootSpanId = withSpan('invoke_agent weather-agent', {
  'gen_ai.operation.name': 'invoke_agent',
  'gen_ai.agent.name': 'weather-agent',
  'gen_ai.provider.name': 'openai',
}, (root) => {
  const user = { role: 'user', parts: [{ type: 'text', content: question }] };
  const toolCall = { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } };
  chat([user], { role: 'assistant', parts: [toolCall], finish_reason: 'tool_call' }, 42, 12);
  const weather = withSpan('execute_tool get_weather', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'get_weather',
    'gen_ai.tool.call.id': 'call_1',
    'gen_ai.tool.call.arguments': JSON.stringify(toolCall.arguments),
    'gen_ai.tool.call.result': JSON.stringify({ temperature_c: 18, sky: 'clear' }),
  }, () => 'clear, 18 °C');
  const toolResult = { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: weather }] };
  const answer = { role: 'assistant', parts: [{ type: 'text', content: `It is ${weather} in Paris.` }], finish_reason: 'stop' };
  chat([user, { role: 'assistant', parts: [toolCall] }, toolResult], answer, 71, 9);
  return root.spanContext();
});

provider.shutdown().then(
  () => {
    console.log(`trace_id=${rootSpanId.traceId}`);
  },
  (err) => {
    console.error(`export failed: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  });
