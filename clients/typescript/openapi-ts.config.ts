// Generates src/gen/ from the service's contract (make client). Never edit src/gen/ by hand.
import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  input: '../../openapi.yaml',
  output: {
    path: 'src/gen',
    // The package is ESM for Node and bundlers: relative imports need their .js extension.
    module: { extension: '.js' },
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});
