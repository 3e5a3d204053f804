/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API lives. @default 'http://127.0.0.1:4010' (the Prism mock of `npm run mock`) */
  readonly VITE_API_BASE_URL?: string;
}
