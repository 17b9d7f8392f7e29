"""Known bugs of hw07's memory-based TD3: the history replay buffer (``replay.py``; bug catalog TD3-10) and the
recurrent networks and agent (``lstm_td3.py``).

Each mutant patches one place of the reference; ``killed_by`` lists the checks (public or hidden) that must fail
for it. A learning check is listed only where the mutant fails it on every calibration seed.
"""

from grader.mutants import Mutant

_A = "hw07_continuous"
_R = "replay.py"
_L = "lstm_td3.py"
_RESET = "        episode_ends = terminated or truncated\n"
_FILL = """            self.hist_obs[self.pos, i] = past_obs
            self.hist_actions[self.pos, i] = past_action
"""
_SHIFT = """        next_hist_obs = np.where(full, extended_obs[:, 1:], extended_obs[:, :length])
        next_hist_actions = np.where(full, extended_actions[:, 1:], extended_actions[:, :length])
"""
_BUFFER = ("test_history_buffer_two_episodes", "test_hidden_history_buffer_wraps_around")

MUTANTS = [
    Mutant(
        id="TD3-10-history-crosses-episodes",
        assignment=_A,
        description="TD3-10: the running history is never emptied, so histories reach into the previous episode",
        file=_R,
        old=_RESET,
        new="        episode_ends = False\n",
        killed_by=(*_BUFFER, "test_lstm_observe_ends_episodes"),
    ),
    Mutant(
        id="TD3-10-truncation-not-an-end",
        assignment=_A,
        description="TD3-10: only a terminated step ends the episode's history; after a time limit it runs on",
        file=_R,
        old=_RESET,
        new="        episode_ends = terminated\n",
        killed_by=(*_BUFFER, "test_lstm_observe_ends_episodes"),
    ),
    Mutant(
        id="TD3-10-newest-first",
        assignment=_A,
        description="TD3-10: the history rows are stored newest first (reversed time order)",
        file=_R,
        old="        for i, (past_obs, past_action) in enumerate(self.episode):\n",
        new="        for i, (past_obs, past_action) in enumerate(reversed(self.episode)):\n",
        killed_by=_BUFFER,
    ),
    Mutant(
        id="TD3-10-left-padded",
        assignment=_A,
        description="TD3-10: the zero padding comes first and the real rows last (left padding)",
        file=_R,
        old=_FILL,
        new=_FILL.replace("self.pos, i]", "self.pos, self.history_length - h + i]"),
        killed_by=_BUFFER,
    ),
    Mutant(
        id="TD3-10-next-history-not-shifted",
        assignment=_A,
        description="TD3-10: the target side gets the transition's own history, not the one shifted by one step",
        file=_R,
        old=_SHIFT,
        new="        next_hist_obs, next_hist_actions = hist_obs, hist_actions\n",
        killed_by=_BUFFER,
    ),
    Mutant(
        id="TD3-10-history-read-back-at-sample",
        assignment=_A,
        description="the history is read back from the circular buffer at sampling, so overwritten slots leak in",
        file=_R,
        old="        hist_obs, hist_actions, hist_len = self.hist_obs[idx], self.hist_actions[idx], "
        "self.hist_len[idx]\n",
        new="""        hist_len = self.hist_len[idx]
        back = (idx[:, None] - hist_len[:, None] + np.arange(length)[None, :]) % self.capacity
        real = (np.arange(length)[None, :] < hist_len[:, None])[:, :, None]
        hist_obs = np.where(real, self.obs[back], 0).astype(np.float32)
        hist_actions = np.where(real, self.actions[back], 0).astype(np.float32)
""",
        killed_by=("test_hidden_history_buffer_wraps_around",),
    ),
    Mutant(
        id="TD3-10-samples-unfilled-slots",
        assignment=_A,
        description="sample draws slots from the whole capacity, returning never-written zero rows",
        file=_R,
        old="        return self.batch(self.rng.integers(self.size, size=batch_size))\n",
        new="        return self.batch(self.rng.integers(self.capacity, size=batch_size))\n",
        killed_by=("test_history_buffer_sample",),
    ),
    Mutant(
        id="LSTM-last-output-of-padding",
        assignment=_A,
        description="the encoder takes the LSTM's output after the last row (padding included), not after step h",
        file=_L,
        old="        last = out[torch.arange(out.shape[0]), (hist_len - 1).clamp(min=0)]\n",
        new="        last = out[:, -1]\n",
        killed_by=("test_history_encoder_reads_only_the_real_steps", "test_hidden_history_encoder_other_sizes"),
    ),
    Mutant(
        id="LSTM-empty-history-not-zero",
        assignment=_A,
        description="an empty history (h = 0) gives the LSTM's output after one padding row instead of zeros",
        file=_L,
        old="        return last * (hist_len > 0).unsqueeze(-1).to(last.dtype)\n",
        new="        return last\n",
        killed_by=("test_history_encoder_reads_only_the_real_steps", "test_hidden_history_encoder_other_sizes"),
    ),
    Mutant(
        id="LSTM-actor-ignores-memory",
        assignment=_A,
        description="the recurrent actor's head never sees the memory (a memoryless policy)",
        file=_L,
        old="torch.tanh(self.head(torch.cat([memory, obs], dim=-1)))",
        new="torch.tanh(self.head(torch.cat([0 * memory, obs], dim=-1)))",
        killed_by=("test_recurrent_networks", "test_lstm_td3_cue_recall"),
    ),
    Mutant(
        id="LSTM-critic-ignores-memory",
        assignment=_A,
        description="the recurrent critic's head never sees the memory",
        file=_L,
        old="        return self.head(torch.cat([memory, obs, action], dim=-1)).squeeze(-1)\n",
        new="        return self.head(torch.cat([0 * memory, obs, action], dim=-1)).squeeze(-1)\n",
        killed_by=("test_recurrent_networks",),
    ),
    Mutant(
        id="LSTM-act-oldest-steps",
        assignment=_A,
        description="act keeps the first L steps of a longer history instead of the last L",
        file=_L,
        old="    hist_obs = np.asarray(hist_obs, dtype=np.float32)[len(hist_obs) - min(len(hist_obs), length) :]\n"
        "    hist_actions = np.asarray(hist_actions, dtype=np.float32)[len(hist_actions) - len(hist_obs) :]\n",
        new="    hist_obs = np.asarray(hist_obs, dtype=np.float32)[:length]\n"
        "    hist_actions = np.asarray(hist_actions, dtype=np.float32)[:length]\n",
        killed_by=("test_lstm_act_reads_the_history",),
    ),
    Mutant(
        id="LSTM-act-left-padded",
        assignment=_A,
        description="act puts the real steps at the end of the padded history (zeros first)",
        file=_L,
        old="    obs[0, :h] = torch.from_numpy(hist_obs)\n    actions[0, :h] = torch.from_numpy(hist_actions)\n",
        new="    obs[0, length - h :] = torch.from_numpy(hist_obs)\n"
        "    actions[0, length - h :] = torch.from_numpy(hist_actions)\n",
        killed_by=("test_lstm_act_reads_the_history",),
    ),
    Mutant(
        id="LSTM-target-without-shift",
        assignment=_A,
        description="the target side reads the transition's own history with the next observation (no shift)",
        file=_L,
        old="            return batch.next_hist_obs, batch.next_hist_actions, batch.next_hist_len, batch.next_obs\n",
        new="            return batch.hist_obs, batch.hist_actions, batch.hist_len, batch.next_obs\n",
        killed_by=("test_lstm_inputs_use_the_shifted_history",),
    ),
    Mutant(
        id="LSTM-observe-hides-truncation",
        assignment=_A,
        description="observe passes truncated=False to the buffer, so histories run across Pendulum's time limit",
        file=_L,
        old="        self.buffer.add(obs, action, reward, next_obs, terminated, truncated)\n",
        new="        self.buffer.add(obs, action, reward, next_obs, terminated, False)\n",
        killed_by=("test_lstm_observe_ends_episodes",),
    ),
]
