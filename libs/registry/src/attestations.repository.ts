import { Injectable } from '@nestjs/common';
import { RegistryDatabase } from './database.js';

/** Manual evidence for a criterion that sensors cannot show (criteria.md: 1–3, 7, 9, 14–18). */
export interface Attestation {
  id: number;
  communityId: string;
  criterion: string;
  title: string;
  note?: string;
  documentUrl?: string;
  validFrom?: number;
  validTo?: number;
  createdBy: string;
  createdAt: number;
}

export type NewAttestation = Omit<Attestation, 'id'>;

export abstract class AttestationRepository {
  abstract add(input: NewAttestation): Attestation;
  abstract list(filter: { communities?: string[]; community?: string; criterion?: string }): Attestation[];
}

@Injectable()
export class SqliteAttestationRepository extends AttestationRepository {
  constructor(private readonly database: RegistryDatabase) {
    super();
  }

  add(input: NewAttestation): Attestation {
    const { lastInsertRowid } = this.database.db
      .prepare('INSERT INTO attestations (community_id, criterion, title, note, document_url, valid_from, valid_to, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(input.communityId, input.criterion, input.title, input.note ?? null, input.documentUrl ?? null, input.validFrom ?? null, input.validTo ?? null, input.createdBy, input.createdAt);
    return { id: Number(lastInsertRowid), ...input };
  }

  list(filter: { communities?: string[]; community?: string; criterion?: string }): Attestation[] {
    const rows = this.database.db
      .prepare(
        `SELECT * FROM attestations WHERE (@scope IS NULL OR community_id IN (SELECT value FROM json_each(@scope)))
         AND (@community IS NULL OR community_id = @community) AND (@criterion IS NULL OR criterion = @criterion) ORDER BY community_id, criterion, id`,
      )
      .all({ scope: filter.communities ? JSON.stringify(filter.communities) : null, community: filter.community ?? null, criterion: filter.criterion ?? null }) as Record<string, string | number | null>[];
    return rows.map((r) => {
      const a: Attestation = { id: r.id as number, communityId: r.community_id as string, criterion: r.criterion as string, title: r.title as string, createdBy: r.created_by as string, createdAt: r.created_at as number };
      if (r.note !== null) a.note = r.note as string;
      if (r.document_url !== null) a.documentUrl = r.document_url as string;
      if (r.valid_from !== null) a.validFrom = r.valid_from as number;
      if (r.valid_to !== null) a.validTo = r.valid_to as number;
      return a;
    });
  }
}
