import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import type { ContentConfig } from './content.config';
import { ConversionWorker, DocumentUploadedConsumer } from './conversion/conversion-worker';
import { DocumentConverter } from './conversion/document-converter';
import { DocumentLibrary } from './documents/document-library';
import { DocumentsController, UPLOAD_LIMIT_BYTES } from './documents/documents.controller';
import { InternalDocumentsController, InternalPlansController } from './documents/internal-documents.controller';
import { FilesystemDocumentStorage, S3DocumentStorage, type DocumentStorage } from './storage/document-storage';

export function storageFor(config: ContentConfig): DocumentStorage {
  if (config.CONTENT_STORAGE === 'filesystem') return new FilesystemDocumentStorage(config.CONTENT_STORAGE_DIR);
  if (!config.CONTENT_S3_BUCKET) throw new Error('CONTENT_STORAGE=s3 needs CONTENT_S3_BUCKET');
  return new S3DocumentStorage({
    endpoint: config.CONTENT_S3_ENDPOINT,
    region: config.CONTENT_S3_REGION,
    bucket: config.CONTENT_S3_BUCKET,
    accessKeyId: config.CONTENT_S3_ACCESS_KEY_ID,
    secretAccessKey: config.CONTENT_S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.CONTENT_S3_FORCE_PATH_STYLE,
  });
}

@Module({})
export class ContentModule {
  static forRuntime(runtime: ServiceRuntime, config: ContentConfig): DynamicModule {
    const storage = storageFor(config);
    const library = new DocumentLibrary(runtime, storage, runtime.clock, config.CONTENT_DEFAULT_PLAN);
    const converter = new DocumentConverter({
      sofficePath: config.CONTENT_SOFFICE_PATH,
      popplerDir: config.CONTENT_POPPLER_DIR,
      timeoutMs: config.CONTENT_CONVERSION_TIMEOUT_MS,
      memoryBytes: config.CONTENT_CONVERSION_MEMORY_BYTES,
      maxPages: config.CONTENT_MAX_PAGES,
    });
    const worker = new ConversionWorker(runtime, storage, converter, runtime.clock, { tickMs: config.CONTENT_CONVERSION_TICK_MS, timeoutMs: config.CONTENT_CONVERSION_TIMEOUT_MS });
    return {
      module: ContentModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [DocumentsController, InternalDocumentsController, InternalPlansController, DocumentUploadedConsumer],
      providers: [
        { provide: DocumentLibrary, useValue: library },
        { provide: ConversionWorker, useValue: worker },
        { provide: UPLOAD_LIMIT_BYTES, useValue: config.CONTENT_MAX_UPLOAD_BYTES },
      ],
    };
  }
}
