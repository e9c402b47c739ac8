-- The leaves of each sealed camera-hour (its segments' SHA-256 hashes, in order, comma
-- separated), kept with the seal so a segment's inclusion proof can be made after other
-- segments of the same hour are gone (held footage is exported long after the unheld
-- minutes around it were deleted). Seals made before this column have none; their proofs
-- need every segment of the hour still present.
ALTER TABLE seals ADD COLUMN leaves TEXT;
