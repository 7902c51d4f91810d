-- Promotion leases: the replica running a promotion renews heartbeat_at while it works; a lock
-- whose heartbeat is older than the lease (a replica that died mid-promotion) is taken over by
-- another replica, which resumes or fails the promotion, so a target never stays locked.
-- (postgres; mirrors the other engine's 0005_promotion_lease.sql.)
ALTER TABLE promotion_locks ADD COLUMN heartbeat_at BIGINT NOT NULL DEFAULT 0;
