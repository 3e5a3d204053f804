interface ImportMetaEnv {
  /** Where the API lives; the Prism mock by default. */
  readonly VITE_API_BASE_URL?: string;
}
