export { type ChatCompletion, type ChatMessage, type CompleteChatOptions, completeChat } from "./call";
export { type ChatModelOptions, chatModelFor, type LlmProviderRecord } from "./chat";
export { type ConnectionResult, testConnection } from "./connection";
export { estimateCost, formatCost, type TokenUsage } from "./cost";
export { LlmError } from "./errors";
export { type PriceTable, type ProviderOptions, priceTableSchema, providerOptions, providerOptionsSchema } from "./options";
export {
  createProvider,
  deleteProvider,
  ensureDefaultProvider,
  getProvider,
  LOCAL_OLLAMA_NAME,
  listProviders,
  loadProviderRecord,
  PROVIDER_KINDS,
  type ProviderInput,
  type ProviderKind,
  type ProviderView,
  providerInputSchema,
  setDefaultProvider,
  updateProvider,
} from "./providers";
