import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/api-key.guard.js';
import { openApiDocument } from './openapi.js';

@Controller('api/docs')
@Public()
export class DocsController {
  private readonly document = openApiDocument();

  @Get()
  get() {
    return this.document;
  }
}
