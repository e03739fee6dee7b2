import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const SESSION_ID = /^[^\u0000-\u001f\u007f]+$/;

class SessionScoped {
  /** Names the session to continue (e.g. after a reconnect); a server-made id is used until then. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  @Matches(SESSION_ID, { message: 'session_id must not contain control characters' })
  session_id?: string;
}

export class AsrChunkDto extends SessionScoped {
  @IsString()
  text!: string;

  @IsOptional()
  @IsBoolean()
  is_final?: boolean;
}

export class ControlDto extends SessionScoped {
  @IsString()
  action!: string;
}

export class KeepaliveDto extends SessionScoped {}

/** Opts this connection into protocol additions (see FEATURES); unknown names are ignored. */
export class HelloDto extends SessionScoped {
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  features!: string[];
}
