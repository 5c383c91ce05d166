export { completeChat, type ChatCompletion, type ChatMessage, type CompleteChatOptions } from "./call";
export { chatModelFor, type ChatModelOptions, type LlmProviderRecord } from "./chat";
export { testConnection, type ConnectionResult } from "./connection";
export { estimateCost, formatCost, type TokenUsage } from "./cost";
export { LlmError } from "./errors";
export { priceTableSchema, providerOptions, providerOptionsSchema, type PriceTable, type ProviderOptions } from "./options";
export {
  createProvider,
  deleteProvider,
  ensureDefaultProvider,
  getProvider,
  listProviders,
  loadProviderRecord,
  LOCAL_OLLAMA_NAME,
  PROVIDER_KINDS,
  providerInputSchema,
  setDefaultProvider,
  updateProvider,
  type ProviderInput,
  type ProviderKind,
  type ProviderView,
} from "./providers";
